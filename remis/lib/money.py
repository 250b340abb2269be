"""Amounts in the reader's language: messages show them as a reader of that language writes
them ('1 234,50' in French, '1,234.50' in English), not as Python prints a Decimal."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format


def amount_text(value: Decimal | int) -> str:
    return number_format(value, 2, force_grouping=True)
