# Day, Arabic month name, full year; the Arabic comma before the time.
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y، H:i T"
SHORT_DATETIME_FORMAT = "j M Y، H:i T"
TIME_FORMAT = "H:i"  # 24-hour, as every date and time REMIS writes
# Digits grouped by three with a no-break space, as French does (Django's Arabic formats
# group none: 1500000,00 was hard to read). A no-break space is a number separator for the
# bidirectional algorithm, so "1 500 000" stays one number in a right-to-left line, and the
# amount fields read it back (remis/lib/money.py); the comma stays the decimal mark.
THOUSAND_SEPARATOR = "\u00a0"
NUMBER_GROUPING = 3
# Dates typed by hand day first, as in the Arab countries REMIS serves (Django's default
# reads 01/05/2010 month first: 5 January); the ISO form first, as the date pickers send it.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y",
]
