"""Dates coarsened to their month for anonymised records."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from remis.lib.dates import coarsen, moment_month, month_of


def test_a_day_and_a_moment_keep_their_month_and_lose_the_rest() -> None:
    assert month_of(dt.date(2021, 3, 31)) == dt.date(2021, 3, 1) and month_of(None) is None
    brussels = zoneinfo.ZoneInfo("Europe/Brussels")
    # 00:30 on 1 April in Brussels is still 31 March in UTC, the day the reports read.
    late = dt.datetime(2021, 4, 1, 0, 30, tzinfo=brussels)
    assert moment_month(late) == dt.datetime(2021, 3, 1, 12, tzinfo=dt.UTC)
    for zone in ("Pacific/Pago_Pago", "Asia/Kamchatka", "Europe/Brussels"):  # UTC-11 to UTC+12
        local = moment_month(late).astimezone(zoneinfo.ZoneInfo(zone))  # type: ignore[union-attr]
        assert (local.year, local.month) == (2021, 3), zone
    assert moment_month(None) is None


@pytest.mark.django_db
def test_coarsen_moves_each_row_and_counts_those_changed(world) -> None:
    from remis.cases.models import Case
    from remis.cases.tests.factories import register

    first, second = register(world), register(world)
    Case.objects.filter(pk=first.pk).update(intended_return_date=dt.date(2026, 5, 17))
    Case.objects.filter(pk=second.pk).update(intended_return_date=dt.date(2026, 6, 1))
    rows = Case.objects.filter(pk__in=[first.pk, second.pk])
    assert coarsen(rows, dates=["intended_return_date"]) == 1  # the second was the 1st already
    assert list(rows.order_by("intended_return_date").values_list("intended_return_date", flat=True)) == [
        dt.date(2026, 5, 1),
        dt.date(2026, 6, 1),
    ]


def test_a_moment_is_written_in_the_pages_language_not_as_iso_text() -> None:
    """The reports' "Figures as of" read 2026-12-04T04:28:53+00:00 in every language."""
    import datetime as dt

    from django.utils import translation

    from remis.lib.dates import moment_text

    moment = dt.datetime(2026, 12, 4, 4, 28, 53, tzinfo=dt.UTC)
    with translation.override("en"):
        assert moment_text(moment) == "4 Dec 2026, 04:28 UTC"
    with translation.override("fr"):
        assert "2026" in moment_text(moment) and "2026-12-04T" not in moment_text(moment)
    assert moment_text(None) == ""
