from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from remis.assistance import actions
from remis.assistance.models import ExchangeRate
from remis.lib.errors import PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def test_a_rate_is_kept_per_month_and_a_second_entry_corrects_it(world, manon):
    actions.record_exchange_rate(
        manon, month=dt.date(2026, 3, 17), currency="XOF", to_currency="EUR", rate="0.001524"
    )
    actions.record_exchange_rate(
        manon, month=dt.date(2026, 3, 1), currency="xof", to_currency="eur", rate="0.001525"
    )
    row = ExchangeRate.objects.get()
    assert row.month == dt.date(2026, 3, 1) and row.rate == Decimal("0.001525")


def test_a_weak_currencys_rate_keeps_its_decimals_and_reads_as_typed(world, manon, client):
    """A rial is worth about 0.0000017 euro: six decimals rounded it 18 % off."""
    actions.record_exchange_rate(
        manon, month=dt.date(2026, 3, 1), currency="IRR", to_currency="EUR", rate="0.0000017"
    )
    assert ExchangeRate.objects.get().rate == Decimal("0.0000017")
    client.force_login(manon)
    page = client.get("/plans/exchange-rates/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">0.0000017<" in page and "0.0000017000" not in page


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"rate": "-1"}, "rate"),
        ({"rate": "0"}, "rate"),
        ({"rate": "abc"}, "rate"),
        ({"rate": 1.5}, "rate"),
        ({"rate": "1.12345678901"}, "rate"),  # eleven decimals
        ({"rate": "99999999999999"}, "rate"),  # too large
        ({"currency": "QQQ"}, "currency"),
        ({"to_currency": "XOF"}, "to_currency"),  # the same currency
        ({"month": None}, "month"),
    ],
)
def test_bad_rates_are_refused_naming_the_field(world, manon, values, field):
    given = {
        "month": dt.date(2026, 3, 1),
        "currency": "XOF",
        "to_currency": "EUR",
        "rate": "0.0015",
        **values,
    }
    with pytest.raises(ValidationFailed) as raised:
        actions.record_exchange_rate(manon, **given)
    assert field in [f for f, _m in raised.value.errors]
    assert not ExchangeRate.objects.exists()


def test_only_approvers_and_programme_managers_record_rates(world, alice):
    with pytest.raises(PermissionDenied):
        actions.record_exchange_rate(
            alice, month=dt.date(2026, 3, 1), currency="XOF", to_currency="EUR", rate="1"
        )


def test_a_sum_in_the_reporting_currency_is_shown_only_when_it_says_more() -> None:
    from decimal import Decimal

    from remis.assistance.queries import Money

    euros = Money({"EUR": Decimal("600.00")}, Decimal("600.00"))
    mixed = Money({"EUR": Decimal("600.00"), "GNF": Decimal("1000000")}, Decimal("705.00"))
    unknown = Money({"GNF": Decimal("1000000")}, None)
    assert (euros.converted("EUR"), mixed.converted("EUR"), unknown.converted("EUR")) == (False, True, False)


@pytest.mark.parametrize(("language", "typed"), [("fr", "0,92"), ("ar", "٠٫٩٢"), ("en", "0.92")])
def test_a_rate_is_typed_as_the_reader_writes_numbers(client, world, manon, language, typed):
    """ "0,92" and "٠٫٩٢" were refused, though the list below writes rates so."""
    from django.urls import reverse

    from remis.cases.tests.factories import PASSWORD

    client.login(username=manon.username, password=PASSWORD)
    answer = client.post(
        reverse("exchange_rates"),
        {"month": "2026-12-01", "currency": "USD", "to_currency": "EUR", "rate": typed},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert ExchangeRate.objects.get(currency="USD").rate == Decimal("0.92")


@pytest.mark.parametrize(
    ("language", "typed", "said"), [("fr", "10.000", "peut se lire"), ("ar", "1,310", "يمكن قراءة")]
)
def test_a_rate_that_reads_two_ways_is_refused(client, world, manon, language, typed, said):
    """ "10.000" in French was kept as 10 (not 10 000), "1,310" in Arabic as 1.31: every
    budget converted with it a thousand times off."""
    from django.urls import reverse

    from remis.cases.tests.factories import PASSWORD

    client.login(username=manon.username, password=PASSWORD)
    answer = client.post(
        reverse("exchange_rates"),
        {"month": "2026-12-01", "currency": "USD", "to_currency": "EUR", "rate": typed},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert answer.status_code == 200 and said in answer.content.decode()  # the form again, told why
    assert not ExchangeRate.objects.filter(currency="USD").exists()


def test_a_month_recorded_meanwhile_is_shown_and_replaced_only_once_confirmed(client, world, manon, paul):
    """Two managers on the rates page, the same month: both were told "recorded", and the
    second rate silently replaced the first for every programme's budgets."""
    from django.urls import reverse

    url = reverse("exchange_rates")
    form = {"month": "2026-12-01", "currency": "USD", "to_currency": "EUR", "rate": "0.93", "replaces": ""}
    client.force_login(manon)
    assert client.post(url, form).status_code == 302
    client.force_login(paul)
    told = client.post(url, form | {"rate": "0.94"})
    assert told.status_code == 200 and "A rate of 0.93 is recorded for USD → EUR" in told.text
    assert ExchangeRate.objects.get().rate == Decimal("0.93")
    assert 'name="replaces" value="0.93"' in told.text  # sending again confirms
    assert client.post(url, form | {"rate": "0.94", "replaces": "0.93"}).status_code == 302
    assert ExchangeRate.objects.get().rate == Decimal("0.94")


def test_the_rates_page_is_paged_newest_month_first(client, world, manon):
    """The page showed the first 300 rates, the older ones nowhere."""
    from django.urls import reverse

    for months_back in range(52):
        year, month = divmod(2026 * 12 + 11 - months_back, 12)
        actions.record_exchange_rate(
            manon, month=dt.date(year, month + 1, 1), currency="USD", to_currency="EUR", rate="0.9"
        )
    client.force_login(manon)
    first = client.get(reverse("exchange_rates")).text
    assert first.count("<td>USD</td>") == 50 and 'href="?page=2"' in first
    assert "December 2026" in first and "September 2022" not in first
    second = client.get(reverse("exchange_rates"), {"page": 2}).text
    assert second.count("<td>USD</td>") == 2 and "September 2022" in second


def test_a_rate_too_large_is_said_so(world, manon):
    """It was answered "at most ten decimals", for a rate with none."""
    with pytest.raises(ValidationFailed, match="A rate is at most 999,999,999,999"):
        actions.record_exchange_rate(
            manon, month=dt.date(2026, 12, 1), currency="USD", to_currency="EUR", rate="99999999999999"
        )
