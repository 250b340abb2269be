"""Contact attempts and visits of a round: only with the returnee's follow-up contact consent,
by those who record monitoring; failed attempts in the window up to the schedule's limit make
the round lost to follow-up; a visit makes it done; bad input names its field."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from remis.audit.models import AuditEntry
from remis.cases import actions as cases
from remis.cases.tests.factories import returned_case
from remis.lib.errors import Conflict, PermissionDenied, TransitionRefused, ValidationFailed
from remis.monitoring import actions
from remis.monitoring.models import ContactAttempt, FollowUp, FollowUpStatus, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_one(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = returned_case(world)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    return FollowUp.objects.select_related("case").get(case=case, round=1)


CALLS = itertools.count(1)


def _attempt(world, follow_up, outcome, **kw):
    # Each a call of its own, told apart by its note (the same one sent twice is refused).
    note = f"Call {next(CALLS)}"
    values = {
        "attempted_on": timezone.localdate(),
        "channel": "phone",
        "outcome": outcome,
        "note": note,
        **kw,
    }
    return actions.record_contact_attempt(world.bob, follow_up, **values)


def _window_open_since(follow_up, days):
    """The round's window opened `days` ago, the returnee arrived and consented before."""
    from remis.cases.models import Case

    today = timezone.localdate()
    Case.objects.filter(pk=follow_up.case_id).update(arrival_date=today - dt.timedelta(days=days + 5))
    FollowUp.objects.filter(pk=follow_up.pk).update(window_start=today - dt.timedelta(days=days))
    _consented_on(follow_up.case, today - dt.timedelta(days=days + 5))
    follow_up.refresh_from_db()
    follow_up.case.refresh_from_db()
    return today


def test_unanswered_calls_on_three_days_of_the_window_lose_the_returnee(world, round_one):
    # The round's window is months away from an arrival today: date the calls inside it.
    today = _window_open_since(round_one, 5)
    _attempt(world, round_one, "no_answer", attempted_on=today - dt.timedelta(days=2))
    _attempt(world, round_one, "wrong_number", channel="message", attempted_on=today - dt.timedelta(days=1))
    assert round_one.status == FollowUpStatus.SCHEDULED
    _attempt(world, round_one, "no_answer")
    assert round_one.status == FollowUpStatus.LOST and round_one.lost_on == today
    with pytest.raises(TransitionRefused) as refused:
        _attempt(world, round_one, "no_answer")
    assert refused.value.field == "follow_up" and ContactAttempt.objects.count() == 3
    assert AuditEntry.objects.filter(action="monitoring.contact_attempt").count() == 3


def test_calls_on_one_day_count_once_towards_the_limit(world, round_one):
    """Three unanswered calls in one evening lost a returnee with weeks of the window left."""
    today = _window_open_since(round_one, 5)
    for outcome in ("no_answer", "wrong_number", "no_answer", "no_answer"):
        _attempt(world, round_one, outcome)
    assert round_one.status == FollowUpStatus.SCHEDULED and ContactAttempt.objects.count() == 4
    _attempt(world, round_one, "no_answer", attempted_on=today - dt.timedelta(days=1))
    assert round_one.status == FollowUpStatus.SCHEDULED  # two days so far
    _attempt(world, round_one, "no_answer", attempted_on=today - dt.timedelta(days=3))
    assert round_one.status == FollowUpStatus.LOST


def test_an_attempt_dated_in_another_rounds_window_is_refused_naming_that_round(world, round_one):
    """It counted towards losing the round whose page it was typed on."""
    round_three = FollowUp.objects.get(case=round_one.case, round=3)
    today = timezone.localdate()
    FollowUp.objects.filter(pk=round_three.pk).update(
        window_start=today - dt.timedelta(days=10), window_end=today + dt.timedelta(days=20)
    )
    with pytest.raises(ValidationFailed) as refused:
        _attempt(world, round_one, "no_answer")
    assert refused.value.field == "attempted_on"
    assert "round 3's window: record the attempt for round 3" in str(refused.value)
    assert not ContactAttempt.objects.exists()
    _attempt(world, round_three, "no_answer")  # the round it belongs to takes it
    assert ContactAttempt.objects.get().follow_up_id == round_three.pk


def test_attempts_outside_the_window_do_not_count_towards_the_limit(world, round_one):
    for _ in range(3):  # arrival is today: the first window opens in about two months
        _attempt(world, round_one, "no_answer")
    assert round_one.status == FollowUpStatus.SCHEDULED


@pytest.mark.parametrize("outcome", ["remigrated", "refused"])
def test_a_returnee_who_re_migrated_or_refused_is_lost_at_once(world, round_one, outcome):
    """A refusal kept the round in its window and on the to-do list, to be called again."""
    _attempt(world, round_one, outcome, channel="partner")
    assert round_one.status == FollowUpStatus.LOST


def test_a_visit_completes_the_round_even_after_it_was_lost(world, round_one):
    _attempt(world, round_one, "moved")
    visit = actions.record_visit(
        world.bob, round_one, visited_on=timezone.localdate(), mode="in_person", early=True
    )
    assert round_one.status == FollowUpStatus.DONE and round_one.done_on == visit.visited_on
    assert round_one.lost_on is None
    with pytest.raises(TransitionRefused):
        actions.record_visit(world.bob, round_one, visited_on=timezone.localdate(), mode="phone", early=True)
    assert Visit.objects.count() == 1


def test_a_lost_round_of_a_closed_case_takes_no_visit_until_the_case_is_reopened(
    world, round_one, client, django_capture_on_commit_callbacks
):
    """Closing stops the scheduled rounds; a lost one stays lost. A visit on it would bring a
    closed case's monitoring back: refused, its form not offered, until the case is reopened."""
    from remis.cases.models import Case

    _attempt(world, round_one, "moved")
    with django_capture_on_commit_callbacks(execute=True):
        cases.close_case(world.bob, Case.objects.get(pk=round_one.case_id), "lost_contact")
    round_one.refresh_from_db()
    assert round_one.status == FollowUpStatus.LOST
    with pytest.raises(TransitionRefused) as refused:
        actions.record_visit(world.bob, round_one, visited_on=timezone.localdate(), mode="phone", early=True)
    assert "closed" in refused.value.message and not Visit.objects.exists()
    client.force_login(world.bob)
    page = client.get(f"/cases/{round_one.case.uuid}/follow-ups/1/").content.decode()
    assert 'name="step" value="visit"' not in page and "reopen the case" in page
    # Answers may still be recorded, dated up to the closure: the form starts on that day.
    closed = timezone.now() - dt.timedelta(days=5)
    Case.objects.filter(pk=round_one.case_id).update(stage_changed_at=closed)
    page = client.get(f"/cases/{round_one.case.uuid}/follow-ups/1/").content.decode()
    field = re.search(r'<input[^>]*name="collected_on"[^>]*>', page)
    assert field is not None and f'value="{timezone.localdate(closed).isoformat()}"' in field.group(0)

    with django_capture_on_commit_callbacks(execute=True):
        cases.reopen_case(world.bob, Case.objects.get(pk=round_one.case_id), "Came back to the office")
    page = client.get(f"/cases/{round_one.case.uuid}/follow-ups/1/").content.decode()
    assert 'name="step" value="visit"' in page
    actions.record_visit(world.bob, round_one, visited_on=timezone.localdate(), mode="phone", early=True)
    assert FollowUp.objects.get(pk=round_one.pk).status == FollowUpStatus.DONE


def test_no_contact_without_follow_up_consent(world, round_one):
    cases.record_consent(
        world.alice, round_one.case, purpose="follow_up_contact", given=False, given_on=timezone.localdate()
    )
    with pytest.raises(TransitionRefused) as refused:
        _attempt(world, round_one, "reached")
    assert refused.value.field == "consent" and not ContactAttempt.objects.exists()


def test_only_those_who_record_monitoring_may(world, round_one):
    with pytest.raises(PermissionDenied):
        actions.record_contact_attempt(
            world.alice, round_one, attempted_on=timezone.localdate(), channel="phone", outcome="reached"
        )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"attempted_on": "yesterday"}, "attempted_on"),
        ({"attempted_on": dt.date(2999, 1, 1)}, "attempted_on"),
        ({"attempted_on": dt.date(2000, 1, 1)}, "attempted_on"),  # before the arrival
        ({"channel": "pigeon"}, "channel"),
        ({"outcome": "maybe"}, "outcome"),
        ({"note": "x" * 501}, "note"),
    ],
)
def test_bad_attempts_are_refused_naming_the_field(world, round_one, values, field):
    with pytest.raises(ValidationFailed) as refused:
        _attempt(world, round_one, values.pop("outcome", "reached"), **values)
    assert refused.value.field == field and not ContactAttempt.objects.exists()


def test_attempts_from_two_pages_add_up_while_the_round_takes_attempts(world, round_one):
    """A second tab's attempt was refused as a conflict: attempts overwrite nothing."""
    stale = round_one.version
    _attempt(world, round_one, "no_answer")
    _attempt(world, round_one, "no_answer", channel="home_visit", expected_version=stale)
    assert ContactAttempt.objects.count() == 2
    # A round done since the page was opened takes no more: said, not recorded.
    actions.record_visit(world.bob, round_one, visited_on=timezone.localdate(), mode="phone", early=True)
    with pytest.raises(TransitionRefused):
        _attempt(world, round_one, "no_answer", expected_version=stale)
    assert ContactAttempt.objects.count() == 2


def test_a_stale_visit_is_a_conflict(world, round_one):
    stale = round_one.version
    _attempt(world, round_one, "no_answer")
    with pytest.raises(Conflict):
        actions.record_visit(
            world.bob,
            round_one,
            visited_on=timezone.localdate(),
            mode="phone",
            expected_version=stale,
            early=True,
        )
    assert not Visit.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_a_visit_locks_its_round_not_the_schedule_every_case_shares(world, round_one):
    """Recording a visit or an attempt locks the round; the schedule rules it reads along
    belong to every case of the programme, and locking them made every visit under one
    schedule wait for every other."""
    with CaptureQueriesContext(connection) as captured:
        _attempt(world, round_one, "no_answer")
        actions.record_visit(world.bob, round_one, visited_on=timezone.localdate(), mode="phone", early=True)
    locks = [
        q["sql"]
        for q in captured.captured_queries
        if "FOR UPDATE" in q["sql"] and "monitoring_followup" in q["sql"]
    ]
    assert len(locks) == 2
    assert all(sql.rstrip().endswith('FOR UPDATE OF "monitoring_followup"') for sql in locks), locks


def test_answers_saved_before_the_visit_leave_room_for_the_visit_once(world, round_one):
    """Saving the answers first made the round done and the visit (its mode, its note) could
    never be recorded."""
    FollowUp.objects.filter(pk=round_one.pk).update(status=FollowUpStatus.DONE, done_on=timezone.localdate())
    round_one.refresh_from_db()
    # The answers closed the round early already: its visit is not asked to confirm it again.
    visit = actions.record_visit(
        world.bob, round_one, visited_on=timezone.localdate(), mode="phone", note="Called from the office"
    )
    assert visit.mode == "phone" and Visit.objects.count() == 1
    round_one.refresh_from_db()
    with pytest.raises(TransitionRefused):  # one visit: a second is refused as before
        actions.record_visit(world.bob, round_one, visited_on=timezone.localdate(), mode="phone", early=True)


def test_a_round_is_lost_on_the_day_of_its_last_failed_try_whatever_the_typing_order(world, round_one):
    """Tries on 2, 4 and 5 December typed 2, 5, 4: the round read "lost on 4 December"."""
    from remis.cases.models import Case

    today = timezone.localdate()
    Case.objects.filter(pk=round_one.case_id).update(arrival_date=today - dt.timedelta(days=10))
    FollowUp.objects.filter(pk=round_one.pk).update(window_start=today - dt.timedelta(days=5))
    _consented_on(round_one.case, today - dt.timedelta(days=10))  # at arrival, before the tries
    round_one.refresh_from_db()
    round_one.case.refresh_from_db()
    for days_ago in (3, 1, 2):
        _attempt(world, round_one, "no_answer", attempted_on=today - dt.timedelta(days=days_ago))
    round_one.refresh_from_db()
    assert round_one.status == FollowUpStatus.LOST and round_one.lost_on == today - dt.timedelta(days=1)


def test_the_case_page_proposes_closing_for_lost_contact_while_a_round_is_lost(world, round_one, client):
    """Only the round's page said it: the case page showed a badge and nothing to do."""
    _attempt(world, round_one, "moved")
    client.force_login(world.bob)
    page = client.get(f"/cases/{round_one.case.uuid}/").content.decode()
    assert "The returnee could not be reached in round 1." in page and 'href="?open=close#close"' in page


def test_a_visit_dated_in_another_rounds_window_is_refused_naming_that_round(world, round_one):
    """Round 1 done with a visit of eleven months later left round 3 open, for good."""
    round_three = FollowUp.objects.get(case=round_one.case, round=3)
    today = timezone.localdate()
    FollowUp.objects.filter(pk=round_three.pk).update(
        window_start=today - dt.timedelta(days=10), window_end=today + dt.timedelta(days=20)
    )
    with pytest.raises(ValidationFailed) as refused:
        actions.record_visit(world.bob, round_one, visited_on=today, mode="phone", early=True)
    assert refused.value.field == "visited_on"
    assert "round 3's window: record the visit for round 3" in str(refused.value)
    round_one.refresh_from_db()
    assert round_one.status == FollowUpStatus.SCHEDULED and not Visit.objects.exists()
    # The same day is taken by the round it belongs to.
    round_three.refresh_from_db()
    actions.record_visit(world.bob, round_three, visited_on=today, mode="phone", early=True)
    round_three.refresh_from_db()
    assert round_three.status == FollowUpStatus.DONE
    # Round 3 done: not sent there again, told to check the date.
    with pytest.raises(ValidationFailed) as refused:
        actions.record_visit(world.bob, round_one, visited_on=today, mode="phone", early=True)
    assert "round 3 is done: check the date" in str(refused.value)


def test_a_round_lost_to_a_refusal_does_not_suggest_closing_for_lost_contact(world, round_one, client):
    from django.urls import reverse

    from remis.cases.tests.factories import PASSWORD

    _attempt(world, round_one, "refused")
    client.login(username=world.bob.username, password=PASSWORD)
    page = client.get(
        reverse("follow_up_detail", args=[round_one.case.uuid, round_one.round])
    ).content.decode()
    assert "The returnee refused follow-up in this round." in page
    assert "consider closing the case for lost contact" not in page


def _consented_on(case, day: dt.date) -> None:
    from remis.cases.models import Consent

    Consent.objects.filter(case=case, purpose="follow_up_contact").update(given_on=day)


def test_a_contact_dated_before_the_follow_up_consent_is_refused_naming_its_date(world, round_one):
    """Consent recorded on 6 December, a call on 5 December was accepted as follow-up."""
    from remis.cases.models import Case
    from remis.lib.errors import ValidationFailed

    today = timezone.localdate()
    Case.objects.filter(pk=round_one.case_id).update(arrival_date=today - dt.timedelta(days=10))
    round_one.case.refresh_from_db()
    with pytest.raises(ValidationFailed) as refused:
        _attempt(world, round_one, "no_answer", attempted_on=today - dt.timedelta(days=1))
    assert (
        refused.value.field == "attempted_on" and "consented to follow-up contact on" in refused.value.message
    )
    with pytest.raises(ValidationFailed) as visit:
        actions.record_visit(
            world.bob, round_one, visited_on=today - dt.timedelta(days=1), mode="phone", early=True
        )
    assert visit.value.field == "visited_on"
    assert not round_one.attempts.exists() and not round_one.visits.exists()
    _attempt(world, round_one, "no_answer", attempted_on=today)  # the day of the consent: fine


def test_my_work_proposes_closing_only_for_contact_lost_and_not_regained(world, round_one):
    """A refusal, and a round lost in March with the later rounds done since, were both
    listed under "consider closing for lost contact": a wrong closure reason invited."""
    from remis.monitoring.queries import State, in_state, my_follow_ups

    def proposed() -> list[int]:
        return list(
            in_state(my_follow_ups(world.bob), State.LOST_OPEN, timezone.localdate()).values_list(
                "round", flat=True
            )
        )

    _attempt(world, round_one, "remigrated")
    assert proposed() == [1]
    later = FollowUp.objects.get(case=round_one.case, round=2)
    FollowUp.objects.filter(pk=later.pk).update(status=FollowUpStatus.DONE)  # reached since
    assert proposed() == []
    FollowUp.objects.filter(pk=later.pk).update(status=FollowUpStatus.SCHEDULED)
    refused = ContactAttempt.objects.filter(follow_up=round_one).update(outcome="refused")
    assert refused == 1 and proposed() == []
