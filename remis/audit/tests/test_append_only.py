from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from remis.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_audit_entries_refuse_update_and_delete_even_in_raw_sql(world):
    entry = AuditEntry.objects.first()
    assert entry is not None
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'forged' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(action="forged").count() == 0
