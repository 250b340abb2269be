"""A returned case gets its monitoring rounds (3, 6 and 12 months after arrival, ±30 days);
they move when the arrival date changes, stop at closure and resume on reopening, each
change by the system actor in the audit log. Post-arrival cases are scheduled at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from remis.audit.models import AuditEntry
from remis.cases import actions as cases
from remis.cases.tests.factories import make_person, returned_case
from remis.monitoring.configuration import add_months
from remis.monitoring.models import FollowUp, FollowUpStatus, ScheduleRules

pytestmark = pytest.mark.django_db


def _rounds(case):
    return [
        (f.round, f.months, f.due_on, f.window_start, f.window_end, f.status)
        for f in FollowUp.objects.filter(case=case).order_by("round")
    ]


@pytest.fixture
def returned(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return returned_case(world)


def test_returning_schedules_three_rounds_from_the_arrival_date(returned):
    arrival = returned.arrival_date
    rounds = _rounds(returned)
    assert [r[:2] for r in rounds] == [(1, 3), (2, 6), (3, 12)]
    assert rounds[0][2] == add_months(arrival, 3)
    assert rounds[0][3] == add_months(arrival, 3) - dt.timedelta(days=30)
    assert rounds[2][4] == add_months(arrival, 12) + dt.timedelta(days=30)
    assert {r[5] for r in rounds} == {FollowUpStatus.SCHEDULED}
    entry = AuditEntry.objects.get(action="monitoring.schedule", case_uuid=returned.uuid)
    assert entry.actor is not None and entry.actor.username == "system"


def test_months_count_like_people_count_them():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)
    assert add_months(dt.date(2026, 5, 31), 12) == dt.date(2027, 5, 31)


def test_a_changed_arrival_date_moves_the_rounds_not_yet_done(
    world, returned, django_capture_on_commit_callbacks
):
    first = FollowUp.objects.get(case=returned, round=1)
    FollowUp.objects.filter(pk=first.pk).update(status=FollowUpStatus.DONE, done_on=timezone.localdate())
    earlier = returned.arrival_date - dt.timedelta(days=10)
    travel = returned.travel
    with django_capture_on_commit_callbacks(execute=True):
        cases.save_travel(
            world.alice,
            returned,
            expected_version=travel.version,
            departure_date=earlier - dt.timedelta(days=1),
            arrival_date=earlier,
        )
    rounds = {r[0]: r for r in _rounds(returned)}
    assert rounds[1][2] == first.due_on  # done: stays where it happened
    assert rounds[2][2] == add_months(earlier, 6) and rounds[3][2] == add_months(earlier, 12)
    assert AuditEntry.objects.filter(action="monitoring.reschedule", case_uuid=returned.uuid).count() == 1


def test_closing_stops_the_rounds_and_reopening_resumes_them(
    world, returned, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cases.close_case(world.bob, returned, "withdrew")
    assert {r[5] for r in _rounds(returned)} == {FollowUpStatus.STOPPED}
    returned.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        cases.reopen_case(world.bob, returned, "Came back to the office")
    assert {r[5] for r in _rounds(returned)} == {FollowUpStatus.SCHEDULED}
    actions = list(
        AuditEntry.objects.filter(case_uuid=returned.uuid, action__startswith="monitoring.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["monitoring.resume", "monitoring.schedule", "monitoring.stop"]
    # The history says which rounds stopped and resumed, not "1; 2; 3 → —" (read as deleted).
    from remis.audit.presentation import describe_entries
    from remis.cases.policy import ALL_GROUPS

    stop = AuditEntry.objects.get(case_uuid=returned.uuid, action="monitoring.stop")
    lines = {c.field: (c.before, c.after) for c in describe_entries([stop], groups=ALL_GROUPS)[0].changes}
    assert lines["rounds"][0] == lines["rounds"][1] != "—"
    assert lines["status"] == ("Scheduled", "Stopped")


def test_a_post_arrival_case_is_scheduled_when_it_is_registered(world, django_capture_on_commit_callbacks):
    from remis.programmes.models import MigrantCategory

    arrival = timezone.localdate() - dt.timedelta(days=20)
    with django_capture_on_commit_callbacks(execute=True):
        case = cases.open_post_arrival_case(
            world.bob,
            world.gn_partner,
            programme=world.programme,
            category=MigrantCategory.objects.get(code="stranded_migrant"),
            host_country="BE",
            origin_country="GN",
            arrival_date=arrival,
            person=make_person(),
        )
    assert [r[2] for r in _rounds(case)] == [add_months(arrival, m) for m in (3, 6, 12)]


def test_a_programme_schedule_applies_to_returnees_arriving_from_its_first_day(
    world, django_capture_on_commit_callbacks
):
    ScheduleRules.objects.create(
        programme=world.programme,
        effective_from=timezone.localdate() - dt.timedelta(days=5),
        rounds=[{"round": 1, "months": 1, "window_days": 7, "instrument": "reintegration-sustainability"}],
        lost_after_attempts=2,
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = returned_case(world)
    assert [(r[0], r[1]) for r in _rounds(case)] == [(1, 1)]
