"""Inserting over an existing entry would rewrite it without an UPDATE."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from remis.audit.models import AuditEntry
from remis.audit.tests.conftest import execute, on_postgresql, raw_insert

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("verb", ["REPLACE", "INSERT OR REPLACE"])
def test_sqlite_refuses_replacing_an_entry(world, verb):
    if on_postgresql():
        pytest.skip("SQLite syntax; PostgreSQL's ON CONFLICT is tested below")
    entry = AuditEntry.objects.latest("id")
    with pytest.raises(DatabaseError, match="cannot be replaced"), transaction.atomic():
        raw_insert(verb, entry_id=entry.pk, at=entry.at)
    assert AuditEntry.objects.get(pk=entry.pk).action == entry.action


def test_an_insert_cannot_update_an_entry_on_conflict(world):
    entry = AuditEntry.objects.latest("id")
    with pytest.raises(DatabaseError), transaction.atomic():
        execute(
            "INSERT INTO audit_auditentry (id, at, action, object_type, object_id, changes, "
            "personal_fields, hash) SELECT id, at, action, object_type, object_id, changes, "
            "personal_fields, hash FROM audit_auditentry WHERE id = %s "
            "ON CONFLICT (id) DO UPDATE SET action = 'forged'",
            [entry.pk],
        )
    assert not AuditEntry.objects.filter(action="forged").exists()
