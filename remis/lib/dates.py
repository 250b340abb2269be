"""Dates coarsened to their month, for anonymised records (retention): the exact day goes,
the month, which the statistics count by, stays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet


def day_format(anonymised_at: dt.datetime | None) -> str:
    """How pages write a record's days: an anonymised case's were moved to the first of
    their month, so they read as months, not as a day that never happened."""
    return "YEAR_MONTH_FORMAT" if anonymised_at else "SHORT_DATE_FORMAT"


def moment_format(anonymised_at: dt.datetime | None) -> str:
    """How pages write a record's moments: the month alone once anonymised (its exact times
    are gone, or kept only in the audit log, which may not show them any more)."""
    return "YEAR_MONTH_FORMAT" if anonymised_at else "SHORT_DATETIME_FORMAT"


def moment_text(moment: dt.datetime | None) -> str:
    """A moment as the page's language writes it, in the local time zone ("4 Dec 2026,
    04:20"), for the texts built in Python (a definition's "figures as of"); "" for none."""
    from django.utils import timezone
    from django.utils.formats import date_format

    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else ""


def month_of(day: dt.date | None) -> dt.date | None:
    """The first day of the day's month."""
    return day.replace(day=1) if day else None


def moment_month(moment: dt.datetime | None) -> dt.datetime | None:
    """Noon (UTC) on the first day of the moment's UTC month: the reports read moments by
    their UTC day, and noon keeps that day's month in every time zone from UTC-11 to +11."""
    if moment is None:
        return None
    utc = moment.astimezone(dt.UTC)
    return dt.datetime(utc.year, utc.month, 1, 12, tzinfo=dt.UTC)


def coarsen(rows: QuerySet[Any], dates: Sequence[str] = (), moments: Sequence[str] = ()) -> int:
    """Move every row's `dates` to the first of their month and `moments` to noon (UTC) on
    the first of theirs; returns how many rows changed. Row by row: a case has few."""
    changed = 0
    for row in rows.values("pk", *dates, *moments):
        values = {name: month_of(row[name]) for name in dates}
        values.update({name: moment_month(row[name]) for name in moments})
        different = {name: value for name, value in values.items() if value != row[name]}
        if different:
            rows.model._default_manager.filter(pk=row["pk"]).update(**different)
            changed += 1
    return changed


def birth_year(person: Any) -> int | None:
    """A person's year of birth, from the date when known, else the estimated year."""
    return person.date_of_birth.year if person.date_of_birth else person.birth_year_estimated
