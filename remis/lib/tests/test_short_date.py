"""`|short_date` (a template builtin) writes what `|date:"SHORT_DATE_FORMAT"` writes, in
every language, though it keeps the text of each day it has written."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.template import engines
from django.utils import timezone
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

ENGINE = engines["django"]
SHORT = ENGINE.from_string("{{ v|short_date }}")
DJANGO = ENGINE.from_string('{{ v|date:"SHORT_DATE_FORMAT" }}')


@given(day=st.dates(), language=st.sampled_from(["en", "fr", "ar"]))
def test_a_day_is_written_as_django_writes_it(day, language):
    with override(language):
        assert SHORT.render({"v": day}) == DJANGO.render({"v": day})


@pytest.mark.parametrize("value", [None, "", "not a day"])
def test_no_day_is_written_as_django_writes_it(value):
    assert SHORT.render({"v": value}) == DJANGO.render({"v": value})


def test_the_same_day_changes_with_the_language():
    day = dt.date(2026, 3, 14)
    written = {}
    for language in ("en", "fr", "ar"):
        with override(language):
            written[language] = SHORT.render({"v": day})
            assert written[language] == DJANGO.render({"v": day})
    assert written["en"] != written["fr"]


def test_a_moment_is_its_local_day():
    """A datetime goes through the local time, as with Django's filter: 23:30 UTC is the
    next day in Kabul."""
    moment = dt.datetime(2026, 3, 14, 23, 30, tzinfo=dt.UTC)
    with timezone.override(zoneinfo.ZoneInfo("Asia/Kabul")):
        assert SHORT.render({"v": moment}) == DJANGO.render({"v": moment})
        assert SHORT.render({"v": moment}) == SHORT.render({"v": dt.date(2026, 3, 15)})
