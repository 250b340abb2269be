# Day, abbreviated month name (translated), full year: unambiguous in every language.
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i T"
# A moment says its time zone ("4 Dec 2026, 04:20 UTC"): offices from Dakar to Erbil read
# the server's clock, and an unlabelled 04:20 read as their own.
SHORT_DATETIME_FORMAT = "j M Y, H:i T"
TIME_FORMAT = "H:i"  # 24-hour, as every date and time REMIS writes
