"""The shared text rule's length message, as the reader's language writes numbers."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from remis.lib.fields import Text


def test_the_length_limit_is_written_as_the_readers_language_groups_digits() -> None:
    """French read "120 caractères au plus (celui-ci en a 5,000)": English grouping."""
    rule = Text(1000)
    with translation.override("en"):
        english = rule.problem("x" * 5000, dt.date(2026, 1, 1))
    with translation.override("fr"):
        french = rule.problem("x" * 5000, dt.date(2026, 1, 1))
    assert english is not None and "1,000" in english and "5,000" in english
    assert french is not None and "5,000" not in french and "1,000" not in french
    assert any(f"5{space}000" in french for space in ("\u202f", "\xa0", " "))
