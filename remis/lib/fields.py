"""Rules for what a single input value may be: maximum lengths, plausible date ranges,
syntax. An app declares its fields once with these (e.g. `remis/cases/fields.py`); its
actions enforce them, and its forms and API schemas read their maximum lengths from the
same declarations, so the page, the API and imports accept and refuse the same things."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

# Explicit embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) reorder how
# text is displayed: "‮gpj.exe" shows as "exe.jpg". The marks (LRM, RLM, ALM) only nudge
# neutral characters and are typed in ordinary Arabic text, so they stay allowed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# Unicode's control characters (category Cc: U+0000–U+001F and U+007F–U+009F) but tab and
# line breaks; as a pattern, since imports check every cell of a million rows.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def has_control_characters(value: str) -> bool:
    """NUL and other control characters (tabs and line breaks aside): PostgreSQL refuses
    NUL outright, and none of them belongs in a name or a note."""
    return _CONTROL.search(value) is not None


def has_bidi_controls(value: str) -> bool:
    return _BIDI.search(value) is not None


def is_visible(ch: str) -> bool:
    """A character that leaves a mark: not a space, a control or a format character
    (zero-width space and joiners, bidi marks, soft hyphen…)."""
    return unicodedata.category(ch)[0] not in "ZC"


def has_letter(value: str) -> bool:
    return any(unicodedata.category(ch).startswith("L") for ch in value)


class Rule(Protocol):
    def problem(self, value: Any, today: dt.date) -> str | None:
        """What is wrong with `value` (already known to be of the right type), or None."""


@dataclass(frozen=True)
class Text:
    """A text field. Empty text is the caller's business (required or not); anything else
    must be short enough, visible, and free of control and bidi override characters."""

    max_length: int
    name: bool = False  # must contain a letter (not only digits, punctuation or invisible marks)
    multiline: bool = False
    pattern: re.Pattern[str] | None = None
    pattern_hint: object = ""  # what the pattern asks for, for the error message (may be lazy)
    email: bool = False

    def problem(self, value: Any, today: dt.date) -> str | None:
        text = str(value)
        if len(text) > self.max_length:
            # Grouped as the reader's language groups digits: French read "5,000".
            return _("At most %(limit)s characters (this has %(length)s).") % {
                "limit": number_format(self.max_length, force_grouping=True),
                "length": number_format(len(text), force_grouping=True),
            }
        if has_control_characters(text) or (not self.multiline and ("\n" in text or "\r" in text)):
            return _("Remove the control characters from this field.")
        if has_bidi_controls(text):
            return _("Remove the invisible text-direction characters (U+202A–U+202E, U+2066–U+2069).")
        if not text:
            return None
        if not any(is_visible(ch) for ch in text):
            return _("This field contains only invisible characters.")
        if self.name and not has_letter(text):
            return _("A name must contain at least one letter.")
        if self.pattern is not None and not self.pattern.fullmatch(text):
            return str(self.pattern_hint) or _("This value is not in the expected format.")
        if self.email:
            try:
                validate_email(text)
            except DjangoValidationError:
                return _("Enter a valid email address.")
        return None


@dataclass(frozen=True)
class Dates:
    """A date between a fixed floor and bounds that move with today: `years_before` and
    `years_after` today (None: no moving bound on that side; 0 after: not in the future)."""

    floor: dt.date = dt.date(1900, 1, 1)
    years_before: int | None = None
    years_after: int | None = 0

    def bounds(self, today: dt.date) -> tuple[dt.date, dt.date]:
        earliest = self.floor
        if self.years_before is not None:
            earliest = max(earliest, _shift_years(today, -self.years_before))
        latest = dt.date.max if self.years_after is None else _shift_years(today, self.years_after)
        return earliest, latest

    def problem(self, value: Any, today: dt.date) -> str | None:
        earliest, latest = self.bounds(today)
        if value < earliest:
            return _("The date must be on or after %(date)s.") % {"date": _day(earliest)}
        if value > latest:
            if self.years_after == 0:
                return _("The date is in the future.")
            return _("The date must be on or before %(date)s.") % {"date": _day(latest)}
        return None


def _day(day: dt.date) -> str:
    """A bound as the reader writes dates (5 déc. 1996), not as ISO (1996-12-05)."""
    from django.utils.formats import date_format

    return date_format(day, "SHORT_DATE_FORMAT")


def _shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Integer:
    minimum: int
    maximum: int

    def problem(self, value: Any, today: dt.date) -> str | None:
        if not self.minimum <= value <= self.maximum:
            return _("Enter a number between %(min)s and %(max)s.") % {
                "min": self.minimum,
                "max": self.maximum,
            }
        return None


@dataclass(frozen=True)
class Years:
    """A year from `floor` to the current one (a year of birth told when the date is not known)."""

    floor: int = 1900

    def problem(self, value: Any, today: dt.date) -> str | None:
        if not self.floor <= value <= today.year:
            return _("Enter a year between %(min)s and %(max)s.") % {"min": self.floor, "max": today.year}
        return None


def check_values(
    rules: Mapping[str, Rule], values: Mapping[str, Any], today: dt.date, prefix: str = ""
) -> list[tuple[str, str]]:
    """(field, message) for every value its rule refuses; values without a rule, None and
    values of an unexpected type (the caller checks those) are passed over."""
    found = []
    for name, value in values.items():
        rule = rules.get(name)
        if rule is None or value is None:
            continue
        expected: Any = {Text: str, Dates: dt.date, Integer: int, Years: int}.get(type(rule), object)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            continue
        message = rule.problem(value, today)
        if message:
            found.append((f"{prefix}{name}", message))
    return found


def max_length(rules: Mapping[str, Rule], name: str) -> int:
    """The maximum length a form or API schema declares for a text field."""
    rule = rules[name]
    assert isinstance(rule, Text), f"{name} is not a text field"
    return rule.max_length


# Telephone numbers as people write them: digits, spaces, + ( ) . - /, and at least six
# digits. One rule for every phone REMIS keeps (a returnee's, a service provider's): "abc"
# was a provider's phone, and "0 ---" a returnee's.
PHONE_DIGITS = 6
# A "+" only first, perhaps with a space after it; a bracket may open the number ("(0470) …").
PHONE = re.compile(rf"(?=(?:[^0-9]*[0-9]){{{PHONE_DIGITS}}})(?:\+ ?)?\(?[0-9][0-9 ().\-/]{{2,39}}")


def _phone_hint() -> str:
    from remis.lib.bidi import LRI, PDI

    symbols = "+ ( ) - . /"
    if get_language_bidi():
        # Kept in their order on right-to-left pages: the brackets came out mirrored and
        # ". /" wrapped onto a line of its own.
        symbols = LRI + symbols + PDI
    return _("Enter a telephone number of at least %(digits)s digits: digits, spaces and %(symbols)s") % {
        "digits": PHONE_DIGITS,
        "symbols": symbols,
    }


PHONE_RULE = Text(40, pattern=PHONE, pattern_hint=lazy(_phone_hint, str)())
