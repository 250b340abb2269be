"""Dates print unambiguously in every language (29 Nov 2026, never 11/29/2026)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import formats, translation


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "29 Nov 2026"), ("fr", "29 nov. 2026"), ("ar", "29 نوفمبر 2026")]
)
def test_short_dates_name_the_month(language, expected):
    with translation.override(language):
        assert formats.date_format(dt.date(2026, 11, 29), "SHORT_DATE_FORMAT") == expected
        moment = dt.datetime(2026, 11, 29, 9, 5, tzinfo=dt.UTC)
        comma = "،" if language == "ar" else ","
        # With its time zone: offices from Dakar to Erbil read the same clock.
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == f"{expected}{comma} 09:05 UTC"
        # A time alone as every moment is written: 24-hour (the dashboard wrote "2:23 a.m.").
        assert formats.time_format(dt.time(14, 23), "TIME_FORMAT") == "14:23"


def test_date_entry_still_accepts_iso_and_the_local_form():
    from django import forms

    field = forms.DateField()
    with translation.override("fr"):
        assert field.clean("2026-11-29") == dt.date(2026, 11, 29)
        assert field.clean("29/11/2026") == dt.date(2026, 11, 29)


def test_arabic_reads_typed_dates_day_first_and_arabic_indic_digits_in_every_number_field():
    """01/05/2010 typed in Arabic was saved as 5 January; ٢٠٢٦-١٢-٠٤ and ١٥٠٫٥ were refused
    ("Enter a valid date", "Enter a number") while a phone number took them."""
    from decimal import Decimal

    from django import forms

    with translation.override("ar"):
        assert forms.DateField().clean("01/05/2010") == dt.date(2010, 5, 1)
        assert forms.DateField().clean("٢٠٢٦-١٢-٠٤") == dt.date(2026, 12, 4)
        assert forms.DateField().clean("٠١/٠٥/٢٠١٠") == dt.date(2010, 5, 1)
        assert forms.DecimalField().clean("١٥٠٫٥") == Decimal("150.5")
        assert forms.IntegerField().clean("٣") == 3
        assert forms.FloatField().clean("۲") == 2.0  # Eastern Arabic-Indic, as a Persian keyboard types
        moment = forms.DateTimeField().clean("٢٠٢٦-١٢-٠٤ ١٤:٣٠")
        assert moment.replace(tzinfo=None) == dt.datetime(2026, 12, 4, 14, 30)
    assert forms.CharField().clean("٣ ليالٍ") == "٣ ليالٍ"  # free text keeps what was typed
    with translation.override("en"):
        assert forms.DateField().clean("2026-12-04") == dt.date(2026, 12, 4)


def test_recent_activity_counts_time_in_arabic_with_its_plural_forms():
    """Django's catalogue wrote "منذ 2 دقيقة" and "يومين مضت" on the dashboard."""
    from django.contrib.humanize.templatetags.humanize import naturaltime
    from django.utils import timezone

    now = timezone.now()
    with translation.override("ar"):
        assert naturaltime(now - dt.timedelta(minutes=2)) == "منذ دقيقتين"
        assert naturaltime(now - dt.timedelta(minutes=7)) == "منذ 7\u00a0دقائق"
        assert naturaltime(now - dt.timedelta(minutes=15)) == "منذ 15\u00a0دقيقة"
        assert naturaltime(now - dt.timedelta(days=2)) == "منذ يومين"
