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

from remis.lib.dates import day_format, moment_format

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
    """A day of a case's record (`{{ item.starts_on|case_day:case }}`), as `lib.dates.day_format`
    says: the month alone once the case is anonymised."""
    shown = day_format(getattr(case, "anonymised_at", None))
    return short_date(value) if shown == "SHORT_DATE_FORMAT" else date_filter(value, shown)


@register.filter(expects_localtime=True, is_safe=False)
def case_moment(value: Any, case: Any) -> str:
    """A moment of a case's record, as `lib.dates.moment_format` says."""
    return date_filter(value, moment_format(getattr(case, "anonymised_at", None)))


@register.filter(is_safe=False)
def file_kind(content_type: str) -> str:
    """ "PDF", "PNG image": what a stored file's type means (lib/files.py)."""
    from remis.lib.files import file_kind as kind

    return kind(content_type)
