"""Two approvers recording the exchange rate of the same currency for the same month at once,
each from the rates page they loaded: a month has one rate, so both recordings are kept one
after the other (the second corrects the first, as recording a month again does) and never
side by side. One row is stored, holding the rate of the recording made last; the audit log
has one entry per recording, and each entry's earlier rate is the rate the other one stored
just before it, so that no rate is ever overwritten without the log keeping it. Both for a
month recorded for the first time and for a correction of a month already recorded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from remis.assistance import actions
from remis.assistance.models import ExchangeRate
from remis.assistance.tests.factories import make_approvers
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import make_world

MONTH = dt.date(2026, 3, 1)
RATES = ("0.001524", "0.001531")  # the two recordings' rates, XOF into EUR


@pytest.fixture(autouse=True)
def _shipped(shipped_assistance):
    """Every test here commits its rows, with the shipped assistance configuration."""


def _record(actor, rate: str):
    return lambda: actions.record_exchange_rate(
        actor, month=MONTH.replace(day=17), currency="XOF", to_currency="EUR", rate=rate
    )


def _rates_logged() -> list[tuple[str | None, str, int]]:
    """(earlier rate, new rate, who) of each audit entry of the month's rate, in the log's order."""
    row = ExchangeRate.objects.get()
    entries = AuditEntry.objects.filter(action="assistance.exchange_rate", object_id=str(row.pk))
    return [
        (*changes["rate"], actor) for changes, actor in entries.order_by("id").values_list("changes", "actor")
    ]


@pytest.mark.parametrize("earlier", [None, "0.001500"], ids=["first recording", "correction"])
def test_two_people_recording_a_months_rate_at_once_keep_one_rate_and_log_both(parallel_db, earlier):
    world = make_world()
    manon, paul, _ines = make_approvers(world)
    if earlier is not None:  # the month was recorded before both loaded the page
        _record(manon, earlier)()
    results = parallel_db(_record(manon, RATES[0]), _record(paul, RATES[1]))
    assert not [r for r in results if isinstance(r, BaseException)], results
    row = ExchangeRate.objects.get(month=MONTH, currency="XOF", to_currency="EUR")
    logged = _rates_logged()[-2:]  # the two recordings, after the earlier one if any
    assert sorted(new for _before, new, _who in logged) == sorted(RATES)
    # Each recording saw the rate stored just before it: the first the earlier one (or none),
    # the second the first's. Two recordings both correcting the earlier rate would be two
    # writes side by side, one of them lost without trace.
    assert logged[0][0] == earlier and logged[1][0] == logged[0][1], logged
    # The last recording is the one stored, whole: its rate and who recorded it.
    assert (row.rate, row.recorded_by_id) == (Decimal(logged[1][1]), logged[1][2])
    assert ExchangeRate.objects.count() == 1
    assert len(_rates_logged()) == 2 + (earlier is not None)
