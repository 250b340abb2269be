from __future__ import annotations

import pytest

from remis.audit.models import AuditEntry
from remis.audit.registry import registered_object_types
from remis.cases import actions
from remis.cases.tests.factories import make_person, returned_case

pytestmark = pytest.mark.django_db


def test_every_audited_record_type_declares_its_personal_fields(world, alice, bob):
    """An undeclared type's values would all be chained, so erasing a name or a note in it
    would break verify_audit: each app declares its types in AppConfig.ready()."""
    case = returned_case(world)
    actions.add_household_member(alice, case, make_person(given_name="Kadiatou"), "child")
    actions.add_note(alice, case, "Synthetic note")
    actions.add_need(alice, case, kind="medical", description="Insulin")
    written = set(AuditEntry.objects.values_list("object_type", flat=True))
    assert written - registered_object_types() == set()


def test_free_text_and_personal_details_are_marked_personal_in_their_entries(world, alice):
    case = returned_case(world)
    actions.add_note(alice, case, "Synthetic note")
    marked = {
        action: set(fields)
        for action, fields in AuditEntry.objects.values_list("action", "personal_fields")
        if fields
    }
    assert {"given_name", "family_name", "date_of_birth"} <= marked["person.create"]
    assert marked["case.note"] == {"body"}
    assert "case.transition" not in marked and "case.register" not in marked
