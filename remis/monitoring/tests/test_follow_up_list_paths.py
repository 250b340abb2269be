"""The follow-ups list reads its rows the fast way (one walk of the rounds' country index per
country, merged; host countries of the cases held for a reader of every country): for every
reader and filter it lists exactly the rounds, in the order, that the plain scoped query
lists, and counts them the same."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from remis.cases.tests.factories import returned_case
from remis.monitoring.models import FollowUp
from remis.monitoring.queries import FollowUpFilters, filter_follow_ups, follow_ups, in_state, my_follow_ups

pytestmark = pytest.mark.django_db
STATES = ["open", "", "in_window", "overdue", "missed", "upcoming", "due_soon", "done", "lost"]


@pytest.fixture
def rounds(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cases = [returned_case(world) for _ in range(4)]
    today = timezone.localdate()
    # Spread the rounds over every state: due days from 200 days ago to a year ahead.
    for n, follow_up in enumerate(FollowUp.objects.filter(case__in=cases).order_by("id")):
        due = today + dt.timedelta(days=-200 + 47 * n)
        follow_up.due_on, follow_up.window_start, follow_up.window_end = (
            due,
            due - dt.timedelta(days=30),
            due + dt.timedelta(days=30),
        )
        follow_up.status = ["scheduled", "scheduled", "done", "lost"][n % 4] if n % 3 else "scheduled"
        follow_up.save()
    return cases


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("mine", [False, True])
@pytest.mark.parametrize("reader", ["bob", "admin", "alice", "dave"])
def test_the_fast_list_is_the_plain_scoped_query(world, rounds, state, mine, reader):
    actor = getattr(world, reader)
    today = timezone.localdate()
    plain = in_state(my_follow_ups(actor) if mine else follow_ups(actor), state, today)
    expected = list(plain.order_by("due_on", "id").values_list("id", flat=True))
    listed = filter_follow_ups(actor, FollowUpFilters(state=state, mine=mine), today)
    assert [f.pk for f in listed[0:100]] == expected
    assert listed.count_upto(1001) == len(expected)
    assert [f.pk for f in listed[2:5]] == expected[2:5]  # a later page


def test_some_reader_sees_rounds_in_every_state(world, rounds):
    today = timezone.localdate()
    for state in ("open", "missed", "done", "lost", "upcoming"):
        assert filter_follow_ups(world.bob, FollowUpFilters(state=state), today).count_upto(100), state
    assert filter_follow_ups(world.admin, FollowUpFilters(state=""), today).count_upto(100) == 12
