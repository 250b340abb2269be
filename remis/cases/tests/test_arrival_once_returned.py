"""Once the person has arrived, the arrival date may be corrected but not cleared, not moved
into the future, nor after the reception: a case marked "Returned" read "Arrival —" or
"Expected arrival" in three weeks, dropped out of the month the statistics count it in, and
its reception could no longer be saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from remis.audit.models import AuditEntry
from remis.cases import actions
from remis.cases.tests.factories import accepted_case, returned_case
from remis.lib.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def _travel(world, case, arrival, departure=None):
    case.travel.refresh_from_db()
    return actions.save_travel(
        world.alice,
        case,
        expected_version=case.travel.version,
        departure_date=departure or case.travel.departure_date,
        arrival_date=arrival,
    )


@pytest.mark.parametrize("days", [None, 3])
def test_a_returned_case_keeps_an_arrival_in_the_past(world, days):
    case = returned_case(world)
    today = timezone.localdate()
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        _travel(world, case, None if days is None else today + dt.timedelta(days=days))
    assert refused.value.field == "arrival_date"
    case.refresh_from_db()
    assert case.arrival_date == today and case.travel.arrival_date == today
    assert AuditEntry.objects.count() == entries
    # A correction that stays in the past is taken.
    _travel(world, case, today - dt.timedelta(days=1), departure=today - dt.timedelta(days=2))
    case.refresh_from_db()
    assert case.arrival_date == today - dt.timedelta(days=1)


def test_the_arrival_cannot_move_after_the_reception(world):
    case = returned_case(world)
    today = timezone.localdate()
    _travel(world, case, today - dt.timedelta(days=5), departure=today - dt.timedelta(days=6))
    actions.save_reception(world.bob, case, expected_version=None, received_on=today - dt.timedelta(days=3))
    with pytest.raises(ValidationFailed) as refused:
        _travel(world, case, today - dt.timedelta(days=2))
    assert refused.value.field == "arrival_date" and "reception" in refused.value.message
    _travel(world, case, today - dt.timedelta(days=4))  # before the reception: taken


def test_before_the_return_the_arrival_is_a_plan(world):
    case = accepted_case(world)
    actions.transition_case(world.alice, case, "counselling")
    actions.transition_case(world.alice, case, "return_planned")
    later = timezone.localdate() + dt.timedelta(days=20)
    actions.save_travel(world.alice, case, expected_version=None, departure_date=later, arrival_date=later)
    _travel(world, case, None)  # a plan can be withdrawn
    case.refresh_from_db()
    assert case.arrival_date is None
