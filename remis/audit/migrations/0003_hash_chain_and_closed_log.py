"""A closed, tamper-evident audit log.

0002's triggers refused UPDATE and DELETE, but an entry could still be rewritten on SQLite
by inserting over it (`REPLACE INTO`, `INSERT OR REPLACE`), entries could be inserted with
invented past times or before the latest one, and PostgreSQL's TRUNCATE passes row
triggers. The triggers below close all of these on both engines. Each entry also gets the
hash chaining it to the entry before (remis.audit.chain), computed here for the existing
entries, and the person entries recorded without their case's UUID get it, so the audit
search can scope them to the case.

On SQLite, adding the columns rebuilds the table and drops its triggers: they are removed
first and installed again last. Tests lift one of them only to empty the table after a
transactional test (conftest.py, `parallel_db`), which is why they are named here.
"""

import uuid

from django.db import migrations, models

# The key of the advisory lock remis.audit.chain.lock_head takes (LOCK_KEY, b"remis.au").
LOCK_KEY = int.from_bytes(b"remis.au", "big")

SQLITE = {
    "audit_no_update": "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
    "audit_no_delete": "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
    # REPLACE deletes the row in the way without firing DELETE triggers: refuse an id in use.
    # julianday() reads any date format SQLite knows, and refuses what it cannot read.
    "audit_insert_in_order": "CREATE TRIGGER audit_insert_in_order BEFORE INSERT ON audit_auditentry "
    "BEGIN "
    "SELECT RAISE(ABORT, 'audit entries cannot be replaced') "
    "WHERE EXISTS (SELECT 1 FROM audit_auditentry WHERE id = NEW.id); "
    "SELECT RAISE(ABORT, 'audit entries cannot be backdated') "
    "WHERE julianday(NEW.at) IS NULL OR julianday(NEW.at) < "
    "julianday((SELECT at FROM audit_auditentry ORDER BY id DESC LIMIT 1)); "
    "END;",
    # Before the insert an automatic id is not known yet: check after it, in the same statement.
    "audit_insert_last": "CREATE TRIGGER audit_insert_last AFTER INSERT ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are appended after the latest') "
    "WHERE NEW.id < (SELECT max(id) FROM audit_auditentry); END;",
}

POSTGRES_FUNCTIONS = [
    "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql;",
    # Serialised by the same lock as record(), so a raw INSERT is checked against the latest
    # committed entry (a volatile function's queries see what committed while it waited).
    "CREATE OR REPLACE FUNCTION audit_check_append() RETURNS trigger AS $$ "
    "DECLARE latest record; "
    "BEGIN "
    f"PERFORM pg_advisory_xact_lock({LOCK_KEY}); "
    "SELECT id, at INTO latest FROM audit_auditentry ORDER BY id DESC LIMIT 1; "
    "IF FOUND AND NEW.id <= latest.id THEN "
    "RAISE EXCEPTION 'audit entries are appended after the latest'; END IF; "
    "IF FOUND AND NEW.at < latest.at THEN "
    "RAISE EXCEPTION 'audit entries cannot be backdated'; END IF; "
    "RETURN NEW; END; $$ LANGUAGE plpgsql;",
    # Emptying an empty log loses nothing; Django's test flush truncates every table.
    "CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger AS $$ "
    "BEGIN IF EXISTS (SELECT 1 FROM audit_auditentry) THEN "
    "RAISE EXCEPTION 'audit entries are append-only'; END IF; RETURN NULL; END; $$ LANGUAGE plpgsql;",
]
POSTGRES = {
    "audit_no_update_delete": "CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE "
    "ON audit_auditentry FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();",
    "audit_append_in_order": "CREATE TRIGGER audit_append_in_order BEFORE INSERT "
    "ON audit_auditentry FOR EACH ROW EXECUTE FUNCTION audit_check_append();",
    "audit_no_truncate": "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE "
    "ON audit_auditentry FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();",
}

# 0002's triggers, for going back.
OLD_SQLITE = [SQLITE["audit_no_update"], SQLITE["audit_no_delete"]]
OLD_POSTGRES = [POSTGRES_FUNCTIONS[0], POSTGRES["audit_no_update_delete"]]


def _drop_all(schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in POSTGRES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON audit_auditentry;")
        for name in ("audit_check_append", "audit_refuse_truncate", "audit_refuse_change"):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}();")
    else:
        for name in SQLITE:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


def lift_guards(apps, schema_editor):
    _drop_all(schema_editor)


def restore_old_guards(apps, schema_editor):
    _drop_all(schema_editor)
    old = OLD_POSTGRES if schema_editor.connection.vendor == "postgresql" else OLD_SQLITE
    for sql in old:
        schema_editor.execute(sql)


def install_guards(apps, schema_editor):
    _drop_all(schema_editor)
    if schema_editor.connection.vendor == "postgresql":
        for sql in [*POSTGRES_FUNCTIONS, *POSTGRES.values()]:
            schema_editor.execute(sql)
    else:
        for sql in SQLITE.values():
            schema_editor.execute(sql)


def _case_of_persons(connection, person_ids):
    """{person id: case UUID} from the cases app's tables, read directly: the audit app
    does not depend on the cases app. No table, nothing to fill (a new database)."""
    if not person_ids or "cases_casemember" not in connection.introspection.table_names():
        return {}
    found = {}
    ids = sorted(person_ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                "SELECT m.person_id, c.uuid FROM cases_casemember m "
                f"JOIN cases_case c ON c.id = m.case_id WHERE m.person_id IN ({marks}) ORDER BY m.id",
                chunk,
            )
            for person_id, case_uuid in cursor.fetchall():
                found.setdefault(person_id, uuid.UUID(str(case_uuid)))
    return found


def chain_existing_entries(apps, schema_editor):
    from remis.audit.chain import GENESIS, entry_hash
    from remis.audit.registry import personal_fields

    entry_model = apps.get_model("audit", "AuditEntry")
    entries = entry_model.objects.using(schema_editor.connection.alias).order_by("id")
    person_ids = {
        int(pk)
        for pk in entries.filter(object_type="cases.person", case_uuid__isnull=True).values_list(
            "object_id", flat=True
        )
        if pk.isdigit()
    }
    cases = _case_of_persons(schema_editor.connection, person_ids)
    previous = GENESIS
    for entry in entries.iterator(chunk_size=2000):
        if entry.object_type == "cases.person" and entry.case_uuid is None and entry.object_id.isdigit():
            entry.case_uuid = cases.get(int(entry.object_id))
        personal = personal_fields(entry.object_type) or frozenset()
        entry.personal_fields = sorted(personal & set(entry.changes or {}))
        entry.hash = entry_hash(entry, previous)
        entries.filter(pk=entry.pk).update(
            case_uuid=entry.case_uuid, personal_fields=entry.personal_fields, hash=entry.hash
        )
        previous = entry.hash


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        migrations.RunPython(lift_guards, restore_old_guards),
        migrations.AddField(
            model_name="auditentry",
            name="personal_fields",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_entries, migrations.RunPython.noop),
        migrations.RunPython(install_guards, lift_guards),
    ]
