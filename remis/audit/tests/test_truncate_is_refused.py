from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from remis.audit.models import AuditEntry
from remis.audit.tests.conftest import execute, on_postgresql, settle_foreign_keys

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "statement", ["TRUNCATE audit_auditentry", "TRUNCATE accounts_organisation, accounts_user CASCADE"]
)
def test_postgresql_refuses_truncating_the_log(world, statement):
    """TRUNCATE passes row triggers, and CASCADE reaches the log through its foreign keys."""
    if not on_postgresql():
        pytest.skip("SQLite has no TRUNCATE; its DELETE trigger covers DELETE without WHERE")
    count = AuditEntry.objects.count()
    settle_foreign_keys()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute(statement)
    assert AuditEntry.objects.count() == count


def test_deleting_every_entry_is_refused(world):
    count = AuditEntry.objects.count()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.count() == count
