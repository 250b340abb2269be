"""Someone with rights on the schema drops the triggers and rewrites the log: verify_audit
names the first entry whose link no longer holds."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from remis.audit.chain import verify_chain
from remis.audit.models import AuditEntry
from remis.audit.tests.conftest import execute, set_changes
from remis.cases import actions
from remis.cases.tests.factories import returned_case

pytestmark = pytest.mark.django_db


def test_a_changed_action_is_reported_at_its_entry(world, alice, guards_down):
    case = returned_case(world)
    actions.add_note(alice, case, "Synthetic note")
    target = AuditEntry.objects.filter(action="case.transition").order_by("id").first()
    assert target is not None
    execute("UPDATE audit_auditentry SET action = 'case.note' WHERE id = %s", [target.pk])

    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    assert failure.value.returncode == 1
    assert f"Broken link at audit entry {target.pk} " in str(failure.value)
    assert verify_chain().verified == AuditEntry.objects.filter(id__lt=target.pk).count()


def test_a_changed_value_is_reported_at_its_entry(world, alice, guards_down):
    case = returned_case(world)
    target = AuditEntry.objects.filter(action="case.transition").order_by("id").last()
    assert target is not None and "stage" in target.changes
    set_changes(target.pk, {**target.changes, "stage": ["registered", "closed"]})
    assert verify_chain().broken_at == target.pk

    set_changes(target.pk, target.changes)  # put back: the chain holds again
    assert verify_chain().ok
    assert case.pk


def test_a_removed_entry_is_reported_at_the_one_after_it(world, alice, guards_down):
    returned_case(world)
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    execute("DELETE FROM audit_auditentry WHERE id = %s", [ids[5]])
    report = verify_chain()
    assert report.broken_at == ids[6]
    assert "changed, added or removed" in report.problem


def test_a_backdated_entry_with_a_valid_hash_is_reported(world, alice, guards_down):
    """Someone who computes the hash still cannot date an entry before the one it follows."""
    import datetime as dt

    from remis.audit.chain import entry_hash

    returned_case(world)
    latest = AuditEntry.objects.latest("id")
    forged = AuditEntry(
        at=latest.at - dt.timedelta(days=90),
        action="case.note",
        object_type="cases.case",
        object_id="1",
        changes={},
        personal_fields=[],
    )
    forged.hash = entry_hash(forged, latest.hash)
    forged.save(force_insert=True)
    report = verify_chain()
    assert report.broken_at == forged.pk
    assert "earlier than that of entry" in report.problem
