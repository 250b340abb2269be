"""Charts write numbers as the table beside them does: the bar chart's axis wrote "12345"
(no grouping) and the charts' decimals with an English point in French and Arabic."""

from __future__ import annotations

from django.utils import translation

from remis.lib.vega import number_locale
from remis.reports.charts import bars


def test_each_language_groups_and_marks_decimals_as_its_tables_do():
    with translation.override("en"):
        assert number_locale() == {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", ""]}
    with translation.override("fr"):
        locale = number_locale()
        assert (locale["decimal"], locale["thousands"]) == (",", "\u00a0")
    with translation.override("ar"):
        locale = number_locale()  # as remis/formats/ar groups them (Django's own groups none)
        assert (locale["decimal"], locale["thousands"]) == (",", "\u00a0")


def test_a_bar_chart_carries_the_readers_locale_and_groups_its_axis():
    with translation.override("fr"):
        spec = bars([("Guinée", 12345), ("Sénégal", 678)], "Pays", "Personnes")
    assert spec is not None
    assert spec["config"]["locale"]["number"]["thousands"] == "\u00a0"
    assert spec["config"]["locale"]["time"]["months"][0] == "janvier"
    assert spec["encoding"]["x"]["axis"]["format"] == ",d"


def test_every_language_s_chart_spec_is_valid_vega_lite():
    """Vega-Lite's schema wants a whole number locale: Arabic's (no grouping) was refused
    and the community projects' summary answered 500."""
    for language in ("en", "fr", "ar"):
        with translation.override(language):
            assert bars([("A", 1)], "x", "y") is not None
