"""Amounts are read as the reader writes them in English, French and Arabic; what cannot be
read without a guess is given back as typed, for the action to refuse naming the field."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from remis.lib.money import AmountField, amount_from_text, amount_text


@pytest.mark.parametrize(
    ("language", "typed", "read"),
    [
        ("en", "1,500.50", "1500.50"),
        ("en", "1,500,000", "1500000"),
        ("en", " 1500.5 ", "1500.5"),
        ("en", "1 500", "1500"),
        ("en", "1500,50", "1500,50"),  # not grouped by three: refused, not 150050
        ("fr", "1 500,50", "1500.50"),
        ("fr", "1\u00a0500,50", "1500.50"),
        ("fr", "1\u202f500", "1500"),
        ("fr", "1500.50", "1500.50"),  # a copied figure
        ("fr", "1,500.50", "1,500.50"),  # English grouping in French: refused
        ("fr", "1,5,0", "1,5,0"),
        ("ar", "١٥٠٠٫٥٠", "1500.50"),
        ("ar", "١٬٥٠٠", "1500"),
        ("ar", "1500,50", "1500.50"),
        ("ar", "1500.50", "1500.50"),
        ("ar", "1\u00a0500\u00a0000,50", "1500000.50"),  # as REMIS writes it in Arabic
    ],
)
def test_amounts_are_read_as_each_language_writes_them(language, typed, read):
    with translation.override(language):
        assert amount_from_text(typed) == read


def test_the_field_reads_the_typed_amount_and_leaves_an_empty_one_empty():
    field = AmountField(required=False)
    with translation.override("fr"):
        assert field.clean("2 000,25") == "2000.25"
        assert field.clean("") == ""


@pytest.mark.parametrize(
    ("language", "typed", "readings"),
    [
        ("ar", "250,000", ("250\u00a0000", "250")),  # was read as 250 GNF
        ("ar", "1,500", ("1\u00a0500", "1,5")),  # was read as 1.50 EUR
        ("fr", "1.500", ("1\u00a0500", "1,5")),  # a Belgian's fifteen hundred, read as 1,50
        ("fr", "-2,125", ("2\u00a0125", "2,125")),
    ],
)
def test_an_amount_that_reads_two_ways_is_refused_naming_both(language, typed, readings):
    from django import forms

    field = AmountField()
    with translation.override(language), pytest.raises(forms.ValidationError) as refused:
        field.clean(typed)
    message = refused.value.messages[0]
    assert typed in message and all(reading in message for reading in readings), message


@pytest.mark.parametrize(
    ("language", "typed", "read"),
    [
        ("en", "1,500", "1500"),
        ("en", "1.500", "1.500"),
        ("fr", "1,50", "1.50"),
        ("fr", "1 500", "1500"),
        ("fr", "0,957", "0.957"),  # no thousands group follows a lone 0
    ],
)
def test_what_reads_one_way_only_is_read(language, typed, read):
    with translation.override(language):
        assert AmountField().clean(typed) == read


def test_arabic_pages_group_digits_and_read_back_what_they_write():
    with translation.override("ar"):
        shown = amount_text(Decimal("1500000.5"))
        assert shown == "1\u00a0500\u00a0000,50"  # Django's Arabic formats grouped none
        assert amount_from_text(shown) == "1500000.50"


def test_the_refusal_shows_amounts_as_the_reader_writes_them():
    from remis.lib.money import amount_hint

    with translation.override("en"):
        assert amount_hint() == "Enter an amount such as 1,500 or 1,500.50."
    with translation.override("fr"):
        assert amount_hint() == "Saisissez un montant comme 1\u00a0500 ou 1\u00a0500,50."


def test_a_stored_amount_is_shown_back_as_the_reader_writes_it_and_read_back_the_same():
    field = AmountField(required=False)
    for language in ("en", "fr", "ar"):
        with translation.override(language):
            shown = field.prepare_value(Decimal("1500000.00"))
            assert shown != "1500000.00"
            assert field.clean(shown) == "1500000.00"


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("1500", "1500"),
        ("1500.5", "1500.5"),
        ("1500,50", "1500.50"),
        ("1,500.50", "1500.50"),
        ("1.500,50", "1500.50"),
        ("1 500,50", "1500.50"),
        ("1\u202f500,50", "1500.50"),
        ("-1,234,567.89", "-1234567.89"),
        ("١٬٥٠٠٫٥٠", "1500.50"),
        ("1,500", None),  # 1500 in English, 1.5 in French
        ("1,500,000", None),
        ("1,50,0.0", None),
        ("1.500.000,5.0", None),
    ],
)
def test_an_amount_in_a_file_is_read_whoever_wrote_it_or_refused(written, read):
    from remis.lib.money import amount_in_file

    assert amount_in_file(written) == read
