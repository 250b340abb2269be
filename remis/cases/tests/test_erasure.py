"""Erasing a person removes their personal data everywhere (their record, their case's
free text and files, search, the audit log's values) while the history still shows that
changes happened, by whom, and the chain still verifies."""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from remis.audit.chain import verify_chain
from remis.audit.models import AuditEntry
from remis.audit.presentation import describe_entries
from remis.audit.sealing import readable_changes
from remis.cases import actions
from remis.cases.actions.validation import IdentityDocumentData, MemberData
from remis.cases.models import Case, CaseDocument, IdentityDocument, Note, Person
from remis.cases.policy import ALL_GROUPS
from remis.cases.tests.factories import make_person, register
from remis.lib.errors import PermissionDenied

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 synthetic test file"


@pytest.fixture
def household(world, alice):
    person = make_person(given_name="Aïssatou", family_name="Baldé", sex="F", phone="+32 470 12 34 56")
    person.documents = [IdentityDocumentData(kind="passport", number="GN7654321", issuing_country="GN")]
    child = MemberData(person=make_person(given_name="Mamadou", family_name="Baldé"), relation="child")
    case = register(world, person=person, members=[child])
    actions.add_note(alice, case, "Aïssatou fears her former employer in Labé.")
    actions.upload_document(
        alice, case, title="Passport copy of Aïssatou", upload=SimpleUploadedFile("p.pdf", PDF)
    )
    return case


def test_erasing_the_principal_removes_their_data_everywhere(world, household, settings):
    case = household
    person = case.principal
    document = CaseDocument.objects.get(case=case)
    stored = document.file.path
    actions.erase_person(world.admin, case, person, "data_subject_request")

    person.refresh_from_db()
    assert person.erased_at is not None
    assert "Aïssatou" not in str(person.__dict__) and person.phone == "" and person.date_of_birth is None
    assert not IdentityDocument.objects.filter(person=person).exists()
    assert Note.objects.get(case=case).body == ""
    assert not os.path.exists(stored)
    assert "aissatou" not in Case.objects.get(pk=case.pk).search_text
    assert "gn7654321" not in Case.objects.get(pk=case.pk).search_text
    # The log keeps that things happened, not what was said about her.
    entries = AuditEntry.objects.filter(case_uuid=case.uuid)
    for entry in entries:
        text = str(readable_changes(entry))
        assert "Aïssatou" not in text and "+32 470" not in text and "Labé" not in text, entry.action
    report = verify_chain()
    assert report.ok, report.problem


def test_history_shows_erased_values_as_erased(world, household):
    case = household
    actions.erase_person(world.admin, case, case.principal, "data_subject_request")
    entry = AuditEntry.objects.get(action="person.create", object_id=str(case.principal_id))
    lines = {c.field: c.after for c in describe_entries([entry], groups=ALL_GROUPS)[0].changes}
    assert lines["given_name"] == "Erased"
    assert lines["sex"] == "Female"  # not personal: kept readable
    erase = AuditEntry.objects.get(action="person.erase")
    assert erase.actor == world.admin
    assert readable_changes(erase)["erasure_reason"] == [None, "data_subject_request"]


def test_erasing_a_household_member_leaves_the_others_readable(world, household):
    case = household
    child = Person.objects.get(given_name="Mamadou")
    actions.erase_person(world.admin, case, child, "recorded_in_error")
    principal_entry = AuditEntry.objects.get(action="person.create", object_id=str(case.principal_id))
    assert readable_changes(principal_entry)["given_name"] == [None, "Aïssatou"]
    assert Note.objects.get(case=case).body.startswith("Aïssatou")  # the principal's case text stays


def test_only_holders_of_the_erasure_right_may_erase(world, alice, household):
    with pytest.raises(PermissionDenied):
        actions.erase_person(alice, household, household.principal, "data_subject_request")
    assert Person.objects.get(pk=household.principal_id).erased_at is None


def test_erasure_from_the_case_page_and_the_api(client, world, household):
    from django.urls import reverse

    from remis.accounts.actions import issue_api_token
    from remis.cases.tests.test_case_pages import login

    child = Person.objects.get(given_name="Mamadou")
    login(client, world.admin)
    refused = client.post(
        reverse("case_step", args=[household.uuid, "erase"]),
        {"person": str(child.uuid), "reason": "recorded_in_error"},  # not acknowledged
    )
    assert refused.status_code == 400 and Person.objects.get(pk=child.pk).erased_at is None
    done = client.post(
        reverse("case_step", args=[household.uuid, "erase"]),
        {"person": str(child.uuid), "reason": "recorded_in_error", "confirm": "on"},
    )
    assert done.status_code == 302 and Person.objects.get(pk=child.pk).erased_at is not None
    _token, raw = issue_api_token(world.admin, name="test")
    response = client.post(
        f"/api/v1/persons/{household.principal.uuid}/erase",
        {"reason": "data_subject_request"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 200, response.json()
    assert Person.objects.get(pk=household.principal_id).erased_at is not None
    again = client.post(
        f"/api/v1/persons/{household.principal.uuid}/erase",
        {"reason": "data_subject_request"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert again.status_code == 422
