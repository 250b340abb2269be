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


def test_a_large_budget_in_a_currency_without_cents_reads_grouped_without_them(s):
    """A provider read "1200000,00 GNF" where the case side wrote "1 200 000 GNF"."""
    from remis.referrals.models import Referral

    referral = refer(s)
    shared = [{**r, "value": "1200000.00 GNF"} if r["field"] == "item_amount" else r for r in referral.shared]
    Referral.objects.filter(pk=referral.pk).update(shared=shared)
    referral.refresh_from_db()
    with translation.override("fr"):
        budget = next(r.value for r in shared_rows(referral) if r.field == "item_amount")
    assert budget.replace("\u202f", " ").replace("\xa0", " ") == "1 200 000 GNF", budget
