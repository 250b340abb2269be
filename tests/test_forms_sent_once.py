"""The same record sent twice by the same person moments later — Back and the button again,
a double click, a client retrying — is recorded once: the second send is refused, says so,
and writes nothing (`remis/audit/once.py`). Before, Back then "Record the attempt" twice made
a returnee lost to follow-up after one call, and Back then "Add member" doubled the
household and its assistance package. A key drawn into the form did not do it: Back fetches
the page again (never cached), with a new key, and Chromium puts the typed values back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from remis.audit.models import SentForm
from remis.audit.once import WINDOW
from remis.cases import actions as cases
from remis.cases.models import CaseMember, Note
from remis.cases.tests.factories import register, returned_case
from remis.lib.errors import Duplicate
from remis.monitoring.models import ContactAttempt, FollowUp, FollowUpStatus, Response
from remis.monitoring.responses import current_instrument, record_response
from remis.monitoring.tests.test_instrument_scoring import answers

pytestmark = pytest.mark.django_db
ALREADY = "The same was recorded a moment ago (the form sent twice?)"


def test_a_note_and_a_household_member_sent_twice_are_added_once(client, world):
    case = register(world)
    client.force_login(world.alice)
    note_url = reverse("case_step", args=[case.uuid, "note"])
    member_url = reverse("case_step", args=[case.uuid, "member"])
    note = {"body": "Called the embassy"}
    member = {"given_name": "Fanta", "family_name": "Condé", "sex": "F", "relation": "child"}
    for url, data in ((note_url, note), (member_url, member)):
        client.post(url, data)
        again = client.post(url, data, follow=True)  # Back, then the button again
        assert ALREADY in again.content.decode()
    assert Note.objects.filter(case=case).count() == 1
    assert CaseMember.objects.filter(case=case).count() == 2  # the principal and Fanta, once
    # Another note goes in at once; the first one's words again, long after, are a new note.
    client.post(note_url, {"body": "Embassy called back"})
    SentForm.objects.update(at=timezone.now() - WINDOW - dt.timedelta(minutes=1))
    client.post(note_url, note)
    assert Note.objects.filter(case=case).count() == 3
    # Someone else writing the same words is someone else's note.
    cases.add_note(world.admin, case, "Embassy called back")
    assert Note.objects.filter(case=case).count() == 4


def test_a_contact_attempt_sent_twice_is_recorded_once(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = returned_case(world)
    today = timezone.localdate()
    cases.record_consent(world.alice, case, purpose="follow_up_contact", given=True, given_on=today)
    FollowUp.objects.filter(case=case, round=1).update(
        window_start=today - dt.timedelta(days=10), due_on=today, window_end=today + dt.timedelta(days=20)
    )
    client.force_login(world.bob)
    url = reverse("follow_up_detail", args=[case.uuid, 1])
    data = {
        "step": "attempt", "attempted_on": today.isoformat(), "channel": "phone", "outcome": "no_answer",
        "note": "No answer at 9:00", "version": 1,
    }  # fmt: skip
    for _ in range(3):
        sent = client.post(url, data, follow=True)
    assert ALREADY in sent.content.decode()
    assert ContactAttempt.objects.filter(case=case).count() == 1
    assert FollowUp.objects.get(case=case, round=1).status == FollowUpStatus.SCHEDULED
    client.post(url, {**data, "note": "No answer at 15:00"})  # a second call that day, told apart
    assert ContactAttempt.objects.filter(case=case).count() == 2


def test_the_same_answers_sent_twice_are_kept_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = returned_case(world)
    today = timezone.localdate()
    cases.record_consent(world.alice, case, purpose="follow_up_contact", given=True, given_on=today)
    instrument = current_instrument("reintegration-sustainability")
    assert instrument is not None
    record_response(world.bob, instrument, answers=answers(), collected_on=today, case=case)
    with pytest.raises(Duplicate, match="form sent twice"):
        record_response(world.bob, instrument, answers=answers(), collected_on=today, case=case)
    record_response(world.bob, instrument, answers=answers(distress="often"), collected_on=today, case=case)
    assert Response.objects.filter(case=case).count() == 2
