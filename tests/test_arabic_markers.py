"""Arabic sentences that write a hidden count's marker ("<5") or a path keep it as written:
in a right-to-left paragraph the bidirectional algorithm mirrors "<" and moves it after
the digit ("5>"), so each is isolated left to right (LRI … PDI). The notice over a public
table read "5>" while its cells read "<5"."""

from __future__ import annotations

import re

from django.utils.translation import trans_real

LRI, PDI = "\u2066", "\u2069"
MARKER = re.compile(r"(<|&lt;)(\d|%\()")


def test_every_hidden_count_marker_in_arabic_is_isolated_left_to_right():
    catalogue = trans_real.translation("ar")._catalog  # type: ignore[attr-defined]
    bare = []
    for key, text in catalogue.items():
        if not isinstance(text, str):
            continue
        for found in MARKER.finditer(text):
            start = found.start()
            if not (start > 0 and text[start - 1] == LRI and PDI in text[start:]):
                bare.append((key, text))
    assert bare == []


def test_zero_people_in_zero_cases_keeps_its_numbers_in_arabic() -> None:
    """The zero forms were words ("nobody", "no cases"): put together in a report's sentence
    they read "nobody in no cases" («لا أحد في لا ملفات»)."""
    from django.utils import translation
    from django.utils.translation import ngettext

    with translation.override("ar"):
        persons = ngettext("%(n)s person", "%(n)s people", 0) % {"n": 0}
        cases = ngettext("%(n)s case", "%(n)s cases", 0) % {"n": 0}
    assert persons.startswith("0 ") and cases.startswith("0 ")
