"""Amounts in the reader's language: messages show them as a reader of that language writes
them ('1 234,50' in French, '1,234.50' in English), not as Python prints a Decimal; forms
take them as the reader types them (`AmountField`)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _

from remis.lib.text import latin_digits

# ISO 4217 currencies without a minor unit: nobody pays 0,50 Guinean franc, and
# "1 500 000,00 GNF" reads as a mistake to those who use it.
ZERO_DECIMAL = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)


# ISO 4217 codes that are not money a grant is paid in (precious metals, testing, SDR…).
NOT_PAYABLE = frozenset(
    {"XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"}
)


def payable_currency(value: Any) -> str | None:
    """The ISO 4217 code of money people are paid in, upper-cased; None for anything else
    ("XYZ", "XAU", "EURO")."""
    import pycountry

    code = str(value or "").strip().upper()
    if len(code) != 3 or code in NOT_PAYABLE or pycountry.currencies.get(alpha_3=code) is None:
        return None
    return code


def currency_hint() -> str:
    return _("Enter an ISO 4217 currency code, such as EUR or XOF.")


def has_fraction(currency: str | None) -> bool:
    """Whether amounts in the currency have cents (its ISO 4217 minor unit)."""
    return (currency or "").upper() not in ZERO_DECIMAL


def amount_text(value: Decimal | int, currency: str | None = None) -> str:
    """The amount as the reader writes it, with the currency's decimals: two, none for a
    currency without a minor unit (an amount recorded with a fraction keeps it shown)."""
    places = 2
    if not has_fraction(currency) and Decimal(value) == Decimal(value).to_integral_value():
        places = 0
    return number_format(value, places, force_grouping=True)


def fraction_problem(amount: Decimal, currency: str) -> str | None:
    """The refusal of an amount with a fraction in a currency that has none."""
    if has_fraction(currency) or amount == amount.to_integral_value():
        return None
    return _("%(currency)s has no fraction: enter a whole amount.") % {"currency": currency.upper()}


def amount_hint() -> str:
    """The refusal of an amount that cannot be read, with examples written as the reader
    writes amounts ("1 500 ou 1 500,50" in French; it showed "1500.50" to everyone)."""
    return _("Enter an amount such as %(whole)s or %(decimal)s.") % {
        "whole": number_format(1500, 0, force_grouping=True),
        "decimal": amount_text(Decimal("1500.50")),
    }


# Spaces of every kind group digits in French and many other languages (a plain space, the
# no-break space Django writes, the narrow one French typography prefers, a thin space).
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
# The Arabic decimal and thousands separators (the digits: `text.latin_digits`).
_ARABIC_SEPARATORS = str.maketrans("٫", ".", "٬")
_GROUPED = re.compile(r"\d{1,3}(,\d{3})+")


def amount_from_text(text: str) -> str:
    """An amount typed in the active language ('1 500,50' in French, '1,500.50' in English,
    '١٥٠٠٫٥٠' in Arabic) as the plain text the actions and the API read ('1500.50').

    A dot is always the decimal point (what machines and copied figures write); a comma is
    the decimal sign where the language writes it so and no dot is present, and a
    thousands separator in English only when it groups by three. Anything else is given
    back as typed, for the action to refuse it naming the field: never a guess that turns
    1500,50 into 150050."""
    value = _SPACES.sub("", latin_digits(text).translate(_ARABIC_SEPARATORS))
    if "," not in value:
        return value
    whole, dot, decimals = value.partition(".")
    if get_format("THOUSAND_SEPARATOR") == "," and _GROUPED.fullmatch(whole.lstrip("-+")):
        return whole.replace(",", "") + dot + decimals
    if get_format("DECIMAL_SEPARATOR") == "," and not dot and value.count(",") == 1:
        return value.replace(",", ".")
    return text.strip()


_GROUPED_BY_DOTS = re.compile(r"\d{1,3}(\.\d{3})+")


def amount_in_file(text: str) -> str | None:
    """An amount as an imported file writes it, whoever made the file ('1500.50',
    '1500,50', '1,500.50', '1.500,50', '1 500,50'), as plain text ('1500.50'); None when
    it cannot be read for sure. A file has no language: '1,500' is 1500 to an English
    spreadsheet and 1.5 to a French one, so it is refused rather than guessed (imports read
    it as 1.50 and a budget of 1,500 EUR became 1.50 EUR)."""
    value = _SPACES.sub("", latin_digits(text).translate(_ARABIC_SEPARATORS))
    sign = value[:1] if value[:1] in "+-" else ""
    digits = value[len(sign) :]
    if "," in digits and "." in digits:
        decimal = "." if digits.rfind(".") > digits.rfind(",") else ","
        whole, _sep, fraction = digits.rpartition(decimal)
        grouped = _GROUPED if decimal == "." else _GROUPED_BY_DOTS
        if not grouped.fullmatch(whole):
            return None
        return sign + re.sub(r"[.,]", "", whole) + "." + fraction
    if "," in digits:
        if digits.count(",") > 1 or _GROUPED.fullmatch(digits):
            return None  # 1,500 or 1,500,000: a thousands separator or a decimal comma
        return sign + digits.replace(",", ".")
    return value


def file_amount_problem(text: str) -> str:
    """Why `amount_in_file` could not read `text`."""
    return _(
        "“%(value)s” can be read in more than one way: write the amount without a thousands "
        "separator, with a dot or a comma before the cents (1500 or 1500.50)."
    ) % {"value": text}


_ONE_GROUP = re.compile(r"[+-]?(\d{1,3})([.,])(\d{3})")


def ambiguous_amount(text: str) -> str | None:
    """Why `text` cannot be read for sure as the reader's language writes amounts, or None.
    Where the comma is the decimal sign (French, Arabic), "1,500" is 1.5 by the book and
    1500 to the many who group thousands with a comma, and "1.500" is 1.5 to REMIS and 1500
    to a Belgian or West-African writer: each was read as 1.50, silently, a budget a
    thousand times too small. English writes neither way ambiguously."""
    if get_format("DECIMAL_SEPARATOR") == ".":
        return None
    value = _SPACES.sub("", latin_digits(text).translate(_ARABIC_SEPARATORS))
    found = _ONE_GROUP.fullmatch(value)
    if not found or found.group(1) == "0":  # "0,500": no thousands group follows a lone 0
        return None
    whole, _sep, rest = found.groups()
    return _(
        "“%(value)s” can be read as %(thousands)s or as %(decimal)s: write it without a "
        "thousands separator, or with two decimals."
    ) % {
        "value": text.strip(),
        "thousands": number_format(int(whole + rest), 0, force_grouping=True),
        "decimal": number_format(Decimal(f"{whole}.{rest}").normalize()),
    }


class AmountField(forms.CharField):
    """A text field for money, read as the reader writes numbers (`amount_from_text`),
    refusing what reads two ways (`ambiguous_amount`); the action decides what amount is
    acceptable."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if not text:
            return text or ""
        problem = ambiguous_amount(text)
        if problem:
            raise forms.ValidationError(problem, code="ambiguous")
        return amount_from_text(text)

    def prepare_value(self, value: Any) -> Any:
        """A stored amount shown back as the reader writes it (an edit form showed
        "1500000.00" under a page writing "1 500 000,00"); `to_python` reads it back."""
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return amount_text(value)
        return value
