"""Numbers sent by a page (a row's id, a version, a page number), read without surprises.

`str.isdigit()` takes "²" and "٣", which `int()` then refuses or reads, and any number of
digits, which the database then refuses: either was a server error where the value, sent by
hand, should simply name nothing."""

from __future__ import annotations

import re
from typing import Any

_DIGITS = re.compile(r"[0-9]{1,18}")  # what a 64-bit integer column holds


def ascii_digits(value: Any) -> bool:
    """Whether the value is a plain number of 0-9 digits that a database integer holds."""
    return isinstance(value, str) and _DIGITS.fullmatch(value) is not None


def posted_id(value: Any) -> int | None:
    """The number sent, or None when it is not one (absent, a sign, another script's digits,
    too long)."""
    return int(value) if ascii_digits(value) else None


def posted_page(value: Any) -> int:
    """A page number sent: 1 unless it is a positive number."""
    number = posted_id(value)
    return number if number else 1
