"""`short_date`: `|date:"SHORT_DATE_FORMAT"` with the text of each (day, language) kept.

A list page writes three days a row, fifty rows a page, and Django parses the format anew
each time (a tenth of the follow-ups list's rendering). Days repeat across rows, pages and
requests; their text in a language does not change while the process runs. Loaded as a
template builtin (settings.TEMPLATES), so every template has it."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.translation import get_language

register = template.Library()


@functools.lru_cache(maxsize=8192)
def _short(day: dt.date, language: str | None) -> str:
    return date_filter(day, "SHORT_DATE_FORMAT")


@register.filter(expects_localtime=True, is_safe=False)
def short_date(value: Any) -> str:
    """A day in the active language's short format; "" for no day, as Django's filter."""
    if type(value) is dt.date:  # a datetime is a date too: those go the long way
        return _short(value, get_language())
    return date_filter(value, "SHORT_DATE_FORMAT")


@register.filter(expects_localtime=True, is_safe=False)
def case_day(value: Any, case: Any) -> str:
    """A day of a case's record (`{{ item.starts_on|case_day:case }}`): the month alone once
    the case is anonymised, whose days were moved to the first of their month (retention)
    and must not read as a day that never happened; the short format otherwise."""
    if getattr(case, "anonymised_at", None) is not None:
        return date_filter(value, "YEAR_MONTH_FORMAT")
    return short_date(value)


@register.filter(expects_localtime=True, is_safe=False)
def case_moment(value: Any, case: Any) -> str:
    """A moment of a case's record: the month alone once the case is anonymised (its exact
    times are gone), the day and time otherwise."""
    if getattr(case, "anonymised_at", None) is not None:
        return date_filter(value, "YEAR_MONTH_FORMAT")
    return date_filter(value, "SHORT_DATETIME_FORMAT")
