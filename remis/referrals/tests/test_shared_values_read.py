"""What was shared with a provider reads in the reader's language and number format."""

from __future__ import annotations

from django.utils import translation

from remis.referrals.queries import shared_rows
from remis.referrals.tests.factories import refer


def test_the_shared_budget_reads_with_the_readers_decimal_separator(s):
    referral = refer(s)
    with translation.override("fr"):
        budget = next(r.value for r in shared_rows(referral) if r.field == "item_amount")
    assert budget == "400,00 EUR"
