"""A form sent twice — Back and the button again, a double click — is recorded once: the
second send is refused, says so, and writes nothing (`remis/audit/once.py`). Before, Back
then "Record the attempt" twice made a returnee lost to follow-up after one call, and Back
then "Add member" doubled the household and its assistance package."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from remis.cases import actions as cases
from remis.cases.models import CaseMember, Note
from remis.cases.tests.factories import register, returned_case
from remis.lib.errors import Duplicate
from remis.monitoring.models import ContactAttempt, FollowUp, FollowUpStatus, Response
from remis.monitoring.responses import current_instrument, record_response
from remis.monitoring.tests.test_instrument_scoring import answers

pytestmark = pytest.mark.django_db
ALREADY = "This form was already sent and recorded: it is not recorded twice."


def _key_on(page: str, action: str) -> str:
    """The form_key drawn into the form posting to `action` (each form has its own)."""
    form = page[page.index(f'action="{action}"') :]
    found = re.search(r'name="form_key" value="([0-9a-f-]+)"', form[: form.index("</form>")])
    assert found, "the form carries a key"
    return found.group(1)


def test_a_note_and_a_household_member_sent_twice_are_added_once(client, world):
    case = register(world)
    client.force_login(world.alice)
    page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    note_url = reverse("case_step", args=[case.uuid, "note"])
    member_url = reverse("case_step", args=[case.uuid, "member"])
    note = {"body": "Called the embassy", "form_key": _key_on(page, note_url)}
    member = {
        "given_name": "Fanta", "family_name": "Condé", "sex": "F", "relation": "child",
        "form_key": _key_on(page, member_url),
    }  # fmt: skip
    for url, data in ((note_url, note), (member_url, member)):
        client.post(url, data)
        again = client.post(url, data, follow=True)
        assert ALREADY in again.content.decode()
    assert Note.objects.filter(case=case).count() == 1
    assert CaseMember.objects.filter(case=case).count() == 2  # the principal and Fanta, once
    # A form drawn again has a new key: the same note written again on purpose is kept.
    page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    client.post(note_url, {"body": "Called the embassy", "form_key": _key_on(page, note_url)})
    assert Note.objects.filter(case=case).count() == 2


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
    key = re.search(r'name="form_key" value="([0-9a-f-]+)"', client.get(url).content.decode())
    assert key
    data = {
        "step": "attempt", "attempted_on": today.isoformat(), "channel": "phone", "outcome": "no_answer",
        "version": 1, "form_key": key.group(1),
    }  # fmt: skip
    for _ in range(3):
        sent = client.post(url, data, follow=True)
    assert ALREADY in sent.content.decode()
    assert ContactAttempt.objects.filter(case=case).count() == 1
    assert FollowUp.objects.get(case=case, round=1).status == FollowUpStatus.SCHEDULED


def test_an_answer_sent_twice_is_kept_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = returned_case(world)
    today = timezone.localdate()
    cases.record_consent(world.alice, case, purpose="follow_up_contact", given=True, given_on=today)
    instrument = current_instrument("reintegration-sustainability")
    assert instrument is not None
    key = uuid.uuid4()
    record_response(world.bob, instrument, answers=answers(), collected_on=today, case=case, form_key=key)
    with pytest.raises(Duplicate, match="already sent"):
        record_response(world.bob, instrument, answers=answers(), collected_on=today, case=case, form_key=key)
    assert Response.objects.filter(case=case).count() == 1
