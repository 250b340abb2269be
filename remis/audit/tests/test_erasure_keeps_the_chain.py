"""Erasing a person's personal values from the log (a later feature, simulated here in SQL)
leaves the chain valid: it covers which fields changed, not their personal values."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from remis.audit.chain import verify_chain
from remis.audit.models import AuditEntry
from remis.audit.tests.conftest import set_changes
from remis.cases import actions
from remis.cases.tests.factories import make_person, register

pytestmark = pytest.mark.django_db


def _erase(entry: AuditEntry) -> dict:
    erased = {
        field: [None, None] if field in entry.personal_fields else values
        for field, values in entry.changes.items()
    }
    set_changes(entry.pk, erased)
    return erased


def test_erasing_personal_values_leaves_verify_audit_green(world, alice, guards_down):
    case = register(world, person=make_person(given_name="Aïssatou", phone="+32 470 12 34 56"))
    actions.add_note(alice, case, "Her brother lives in Kindia")
    person_entry = AuditEntry.objects.get(action="person.create")
    note_entry = AuditEntry.objects.get(action="case.note")
    assert {"given_name", "family_name", "phone", "date_of_birth"} <= set(person_entry.personal_fields)
    assert note_entry.personal_fields == ["body"]

    for entry in (person_entry, note_entry):
        _erase(entry)
    assert "Aïssatou" not in str(AuditEntry.objects.get(pk=person_entry.pk).changes)
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert f"{AuditEntry.objects.count()} entries verified." in out.getvalue()


def test_the_chain_still_covers_which_fields_changed_and_other_values(world, alice, guards_down):
    case = register(world)
    entry = AuditEntry.objects.get(action="case.register", case_uuid=case.uuid)
    assert entry.personal_fields == []  # the case's fields are not personal
    set_changes(entry.pk, {**entry.changes, "stage": [None, "closed"]})
    assert verify_chain().broken_at == entry.pk
    set_changes(entry.pk, entry.changes)

    person_entry = AuditEntry.objects.get(action="person.create", case_uuid=case.uuid)
    without_name = {k: v for k, v in person_entry.changes.items() if k != "given_name"}
    set_changes(person_entry.pk, without_name)  # erasure keeps the key; dropping it is tampering
    assert verify_chain().broken_at == person_entry.pk
