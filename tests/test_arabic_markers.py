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
