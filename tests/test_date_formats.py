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
        moment = dt.datetime(2026, 11, 29, 9, 5)
        comma = "،" if language == "ar" else ","
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == f"{expected}{comma} 09:05"
        # A time alone as every moment is written: 24-hour (the dashboard wrote "2:23 a.m.").
        assert formats.time_format(dt.time(14, 23), "TIME_FORMAT") == "14:23"


def test_date_entry_still_accepts_iso_and_the_local_form():
    from django import forms

    field = forms.DateField()
    with translation.override("fr"):
        assert field.clean("2026-11-29") == dt.date(2026, 11, 29)
        assert field.clean("29/11/2026") == dt.date(2026, 11, 29)
