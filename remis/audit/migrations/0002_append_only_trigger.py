"""The audit log refuses UPDATE and DELETE at the database, not only in the ORM."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql;",
    "CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON audit_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();",
]


def install(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_update_delete ON audit_auditentry;")
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_refuse_change();")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_update;")
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_delete;")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
