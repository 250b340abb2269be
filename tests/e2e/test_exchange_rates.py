"""Two managers on the exchange-rates page, the same month, in French and Arabic: the second
is shown the rate recorded meanwhile and replaces it only once they confirm (both were told
"recorded", and one rate silently replaced the other for every programme's budgets)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

LOCALES = {"fr": "fr-FR", "ar": "ar"}


def _fill(page, rate: str) -> None:
    page.locator("#rate-month").fill("2026-12-01")
    page.locator("#rate-currency").fill("USD")
    page.locator("#rate-to_currency").fill("EUR")
    page.locator("#rate-rate").fill(rate)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_second_manager_confirms_before_replacing_a_months_rate(world, login, language):
    from remis.assistance.models import ExchangeRate
    from remis.assistance.tests.factories import make_approvers

    manon, paul, _ines = make_approvers(world)
    first = login(manon, LOCALES[language])
    second = login(paul, LOCALES[language])
    for page in (first, second):
        page.goto("/plans/exchange-rates/")
    comma = "0,93" if language == "fr" else "0.93"
    _fill(first, comma)
    first.locator("main form button.primary").click()
    with translation.override(language):
        recorded = gettext("The exchange rate is recorded.")
    expect(first.locator(".messages, [role=status]").first).to_contain_text(recorded)
    _fill(second, comma.replace("3", "4"))
    second.locator("main form button.primary").click()
    expect(second.locator("main [role=alert]").first).to_contain_text("USD")
    assert ExchangeRate.objects.get().rate == Decimal("0.93")  # nothing replaced unseen
    second.locator("main form button.primary").click()  # confirmed, knowingly
    expect(second.locator(".messages, [role=status]").first).to_contain_text(recorded)
    assert ExchangeRate.objects.get().rate == Decimal("0.94")
