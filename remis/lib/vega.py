"""The locale every chart is drawn in: Vega's number and time locales built from Django's
formats and names for the active language, so that an axis writes numbers and days as the
table beside it does (12 345 in French, month names in the page's language)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.defaultfilters import date as date_filter
from django.utils.formats import get_format


def number_locale() -> dict[str, Any]:
    """d3-format's locale: the language's decimal mark and thousands separator (none where
    Django groups no digits, as in Arabic)."""
    grouping = int(get_format("NUMBER_GROUPING") or 0)
    return {
        "decimal": str(get_format("DECIMAL_SEPARATOR")),
        # Vega-Lite's schema wants both: no grouping is groups of three joined by nothing.
        "thousands": str(get_format("THOUSAND_SEPARATOR")) if grouping else "",
        "grouping": [grouping or 3],
        "currency": ["", ""],
    }


def time_locale() -> dict[str, Any]:
    """d3-time-format's locale from Django's own month and day names."""
    token = "N" if "N" in get_format("SHORT_DATE_FORMAT") else "M"  # French: "déc.", others "Dec"
    months = [dt.date(2001, month, 1) for month in range(1, 13)]
    week = [dt.date(2001, 1, 7) + dt.timedelta(days=n) for n in range(7)]  # Sunday first, as d3
    return {
        "dateTime": "%x %X",
        "date": "%-d %b %Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": [date_filter(day, "l") for day in week],
        "shortDays": [date_filter(day, "D") for day in week],
        "months": [date_filter(day, "F") for day in months],
        "shortMonths": [date_filter(day, token) for day in months],
    }


def chart_locale() -> Any:
    """The Altair locale for `.configure(locale=…)` of a top-level chart."""
    import altair as alt

    return alt.Locale(number=number_locale(), time=time_locale())
