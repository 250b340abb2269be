"""Seal the personal values already in the log under their subjects' keys (see
remis.audit.sealing). The chain never covered personal values, so hashes stay valid; the
trigger refusing UPDATE is lifted for this migration only."""

import importlib
import json
import uuid

from cryptography.fernet import Fernet
from django.db import migrations

PREFIX = "sealed:v1:"
SUBJECT_TYPES = {"cases.person", "accounts.user"}  # as registered by the apps at this time


def _subject(object_type, object_id, case_uuid):
    if object_type in SUBJECT_TYPES or not case_uuid:
        return f"{object_type}:{object_id}"
    return f"case:{uuid.UUID(str(case_uuid))}"


def seal_existing(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    SubjectKey = apps.get_model("audit", "SubjectKey")
    guards = importlib.import_module("remis.audit.migrations.0003_hash_chain_and_closed_log")
    connection = schema_editor.connection
    keys = {}
    updates = []
    for entry in AuditEntry.objects.exclude(personal_fields=[]).iterator():
        subject = _subject(entry.object_type, entry.object_id, entry.case_uuid)
        if subject not in keys:
            row, _ = SubjectKey.objects.get_or_create(subject=subject, defaults={"key": Fernet.generate_key()})
            keys[subject] = Fernet(bytes(row.key)) if row.key else None
        fernet = keys[subject]
        changes = dict(entry.changes)
        for name in entry.personal_fields:
            values = changes.get(name)
            if not isinstance(values, list):
                continue
            changes[name] = [
                v
                if v is None or (isinstance(v, str) and v.startswith(PREFIX))
                else (PREFIX + fernet.encrypt(json.dumps(v).encode()).decode() if fernet else PREFIX)
                for v in values
            ]
        if changes != entry.changes:
            updates.append((json.dumps(changes), entry.pk))
    if not updates:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_no_update_delete")
            cursor.executemany("UPDATE audit_auditentry SET changes = %s::jsonb WHERE id = %s", updates)
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_no_update_delete")
        else:
            cursor.execute("DROP TRIGGER audit_no_update")
            cursor.executemany("UPDATE audit_auditentry SET changes = %s WHERE id = %s", updates)
            cursor.execute(guards.SQLITE["audit_no_update"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_subject_keys")]
    operations = [migrations.RunPython(seal_existing, migrations.RunPython.noop)]
