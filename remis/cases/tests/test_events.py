"""Each action a later stage reacts to emits its typed event when its transaction commits,
with ids, codes and dates only; a rolled-back write emits nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db import transaction

from remis.cases import actions
from remis.cases import events as case_events
from remis.cases.tests.factories import accepted_case, make_person, register, returned_case
from remis.lib import events

pytestmark = pytest.mark.django_db

ALL = [
    case_events.CaseRegistered,
    case_events.StageChanged,
    case_events.CaseClosed,
    case_events.CaseReopened,
    case_events.TravelSaved,
    case_events.ConsentRecorded,
    case_events.SubmissionSent,
    case_events.SubmissionAnswered,
    case_events.PersonUpdated,
]


@pytest.fixture
def heard():
    """Every case event delivered, in order."""
    received: list[events.Event] = []
    for event_type in ALL:
        events.subscribe(event_type, received.append)
    yield received
    for event_type in ALL:
        events.unsubscribe(event_type, received.append)


def _only(heard, event_type):
    found = [e for e in heard if isinstance(e, event_type)]
    assert len(found) == 1, heard
    return found[0]


def test_registering_emits_case_registered(world, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = register(world)
    event = _only(heard, case_events.CaseRegistered)
    assert event == case_events.CaseRegistered(
        case_id=case.pk,
        case_uuid=case.uuid,
        programme_id=world.programme.pk,
        stage="registered",
        return_type="avr",
        arrival_date=None,
    )


def test_moving_emits_stage_changed_with_from_and_to(world, alice, heard, django_capture_on_commit_callbacks):
    case = register(world)
    with django_capture_on_commit_callbacks(execute=True):
        actions.transition_case(alice, case, "counselling", expected_version=case.version)
    assert _only(heard, case_events.StageChanged) == case_events.StageChanged(
        case_id=case.pk, from_stage="registered", to_stage="counselling"
    )


def test_closing_and_reopening_emit_their_events(world, bob, heard, django_capture_on_commit_callbacks):
    case = returned_case(world)
    with django_capture_on_commit_callbacks(execute=True):
        actions.close_case(bob, case, "withdrew", expected_version=case.version)
    assert _only(heard, case_events.CaseClosed) == case_events.CaseClosed(
        case_id=case.pk, closure_reason="withdrew", from_stage="returned"
    )
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.reopen_case(bob, case, "Back in touch", expected_version=case.version)
    assert _only(heard, case_events.CaseReopened).to_stage == "returned"
    assert _only(heard, case_events.StageChanged).from_stage == "closed"


def test_travel_emits_the_arrival_date_change(world, alice, heard, django_capture_on_commit_callbacks, today):
    case = accepted_case(world)
    with django_capture_on_commit_callbacks(execute=True):
        actions.save_travel(
            alice,
            case,
            expected_version=None,
            departure_date=today - dt.timedelta(days=2),
            arrival_date=today,
        )
    event = _only(heard, case_events.TravelSaved)
    assert (event.arrival_date, event.previous_arrival_date, event.arrival_changed) == (today, None, True)
    heard.clear()
    travel = case.travel
    with django_capture_on_commit_callbacks(execute=True):
        actions.save_travel(
            alice,
            case,
            expected_version=travel.version,
            departure_date=travel.departure_date,
            arrival_date=today,
            route="BRU-CKY",
        )
    assert _only(heard, case_events.TravelSaved).arrival_changed is False


def test_consent_given_and_withdrawn_emit(world, alice, heard, django_capture_on_commit_callbacks, today):
    case = register(world)
    with django_capture_on_commit_callbacks(execute=True):
        actions.record_consent(alice, case, purpose="follow_up_contact", given=False, given_on=today)
    event = _only(heard, case_events.ConsentRecorded)
    assert (event.case_id, event.purpose, event.given) == (case.pk, "follow_up_contact", False)


def test_submission_sent_and_answered_emit(
    world, alice, bob, heard, django_capture_on_commit_callbacks, today
):
    case = register(world)
    actions.record_consent(alice, case, purpose="sharing_with_partners", given=True, given_on=today)
    with django_capture_on_commit_callbacks(execute=True):
        submission = actions.submit_case(alice, case, world.gn_partner)
        actions.respond_to_submission(bob, submission, accept=True)
    sent = _only(heard, case_events.SubmissionSent)
    answered = _only(heard, case_events.SubmissionAnswered)
    assert sent.to_organisation_id == answered.to_organisation_id == world.gn_partner.pk
    assert answered.accepted is True


def test_person_update_names_fields_not_values(world, alice, heard, django_capture_on_commit_callbacks):
    case = register(world, person=make_person(given_name="Hawa"))
    person = case.principal
    data = actions.PersonData.from_person(person)
    data.phone = "+224 600 11 22 33"
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_person(alice, case, person, data, expected_version=person.version)
    event = _only(heard, case_events.PersonUpdated)
    assert event.fields == ("phone",)
    assert "+224" not in repr(event) and "Hawa" not in repr(event)


def test_a_rolled_back_write_emits_nothing(world, bob, heard, django_capture_on_commit_callbacks):
    case = returned_case(world)
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            actions.close_case(bob, case, "completed", expected_version=case.version)
            raise RuntimeError("the request failed after the action")
    assert heard == []


def test_payloads_refuse_model_instances(world):
    @dataclasses.dataclass(frozen=True)
    class Leaky(events.Event):
        name = "test.leaky"
        person: object

    with pytest.raises(TypeError, match="ids, codes, flags and dates"):
        events.emit(Leaky(person=world.alice))
