"""The follow-ups list reads its rows the fast way (one walk of the rounds' country index per
country, merged; host countries of the cases held for a reader of every country): for every
reader and filter it lists exactly the rounds, in the order, that the plain scoped query
lists, and counts them the same."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
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
    assert [f.pk for f in listed[2:5]] == expected[2:5]  # a later page, cut from the rows counted
    # A count capped short of the list: a page past the rows counted is walked for.
    capped = filter_follow_ups(actor, FollowUpFilters(state=state, mine=mine), today)
    assert capped.count_upto(3) == min(3, len(expected))
    assert [f.pk for f in capped[2:6]] == expected[2:6]
    assert [f.pk for f in capped[0:2]] == expected[0:2]


def test_some_reader_sees_rounds_in_every_state(world, rounds):
    today = timezone.localdate()
    for state in ("open", "missed", "done", "lost", "upcoming"):
        assert filter_follow_ups(world.bob, FollowUpFilters(state=state), today).count_upto(100), state
    assert filter_follow_ups(world.admin, FollowUpFilters(state=""), today).count_upto(100) == 12


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_on_postgresql_the_page_and_the_count_are_planned_as_index_walks(world, rounds):
    """At 1M cases PostgreSQL hashed every round of a country against every access row of
    the reader's organisation to show 51 of them (300–500 ms; docs/benchmarks.md). Its
    estimates cannot be made that wrong on a test's few rows, so this checks what stops it:
    the list's walks run with the walk's settings, and nothing after them. The count walks;
    a page inside the rows counted is cut from them, a page past them walks again."""
    listed = filter_follow_ups(world.bob, FollowUpFilters(state="open"), timezone.localdate())
    with CaptureQueriesContext(connection) as captured:
        listed.count_upto(2)
        page = listed[0:2]
        later = listed[2:4]
        FollowUp.objects.filter(pk__in=[f.pk for f in [*page, *later]]).count()
    statements = [q["sql"] for q in captured.captured_queries]
    walks = [n for n, sql in enumerate(statements) if "monitoring_followup" in sql and "UNION" in sql]
    assert len(walks) == 2  # the count's and the later page's; not the first page's
    for n in walks:
        assert statements[n - 1].startswith("SELECT set_config('enable_hashjoin', 'off'")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_hashjoin'), current_setting('enable_sort')")
        assert cursor.fetchone() == ("on", "on")


def test_a_round_deleted_between_the_count_and_the_page_is_left_out(world, rounds):
    """The page is cut from the ids the count walked: a round gone since (its case erased
    meanwhile) is left out, not an error."""
    today = timezone.localdate()
    listed = filter_follow_ups(world.admin, FollowUpFilters(state=""), today)
    assert listed.count_upto(1001) == 12
    first, second = [f.pk for f in listed[0:2]]
    FollowUp.objects.filter(pk=first).delete()
    assert [f.pk for f in listed[0:2]] == [second]
