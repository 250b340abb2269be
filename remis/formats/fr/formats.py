# Day, French abbreviated month (29 nov. 2026), full year: unambiguous.
DATE_FORMAT = "j N Y"
SHORT_DATE_FORMAT = "j N Y"
DATETIME_FORMAT = "j N Y, H:i T"
SHORT_DATETIME_FORMAT = "j N Y, H:i T"
TIME_FORMAT = "H:i"  # 24-hour, as every date and time REMIS writes
