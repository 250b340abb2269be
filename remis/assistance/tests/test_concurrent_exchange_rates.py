"""Two approvers recording the exchange rate of the same currency for the same month at once,
each from the rates page they loaded: a month has one rate. The first recording is kept; the
second, made over a rate its author never saw, is refused and shown that rate to confirm
(both were told "recorded", and one rate silently replaced the other). Both for a month
recorded for the first time and for a correction of a month already recorded; a correction
made knowingly (`replaces`) is kept, and logged with the rate it replaced."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from remis.assistance import actions
from remis.assistance.models import ExchangeRate, plain_rate
from remis.assistance.tests.factories import make_approvers
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import make_world

MONTH = dt.date(2026, 3, 1)
RATES = ("0.001524", "0.001531")  # the two recordings' rates, XOF into EUR


@pytest.fixture(autouse=True)
def _shipped(shipped_assistance):
    """Every test here commits its rows, with the shipped assistance configuration."""


def _record(actor, rate: str, replaces=None):
    return lambda: actions.record_exchange_rate(
        actor, month=MONTH.replace(day=17), currency="XOF", to_currency="EUR", rate=rate, replaces=replaces
    )


def _rates_logged() -> list[tuple[str | None, str, int]]:
    """(earlier rate, new rate, who) of each audit entry of the month's rate, in the log's order."""
    row = ExchangeRate.objects.get()
    entries = AuditEntry.objects.filter(action="assistance.exchange_rate", object_id=str(row.pk))
    return [
        (*changes["rate"], actor) for changes, actor in entries.order_by("id").values_list("changes", "actor")
    ]


@pytest.mark.parametrize("earlier", [None, "0.001500"], ids=["first recording", "correction"])
def test_two_people_recording_a_months_rate_at_once_keep_one_and_tell_the_other(parallel_db, earlier):
    from remis.assistance.actions.payments import RateRecordedMeanwhile

    world = make_world()
    manon, paul, _ines = make_approvers(world)
    if earlier is not None:  # the month was recorded before both loaded the page
        _record(manon, earlier)()
    results = parallel_db(_record(manon, RATES[0], earlier), _record(paul, RATES[1], earlier))
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 1 and isinstance(refused[0], RateRecordedMeanwhile), results
    row = ExchangeRate.objects.get(month=MONTH, currency="XOF", to_currency="EUR")
    logged = _rates_logged()
    assert len(logged) == 1 + (earlier is not None)  # the refused one wrote nothing
    assert logged[-1][0] == (None if earlier is None else str(plain_rate(Decimal(earlier)))) and (
        row.rate,
        row.recorded_by_id,
    ) == (
        Decimal(logged[-1][1]),
        logged[-1][2],
    )
    assert refused[0].stored == row.rate  # the rate its author is shown, to confirm over
    # Confirmed, knowingly: kept, and the log keeps the rate it replaced.
    loser = paul if row.recorded_by_id == manon.pk else manon
    _record(loser, "0.001540", str(row.rate))()
    assert _rates_logged()[-1][:2] == (str(plain_rate(row.rate)), "0.00154")  # as written: no trailing zeros
