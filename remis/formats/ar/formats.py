# Day, Arabic month name, full year; the Arabic comma before the time.
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y، H:i"
SHORT_DATETIME_FORMAT = "j M Y، H:i"
