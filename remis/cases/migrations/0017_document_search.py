"""Identity document numbers move out of the search column into their own, searched only
for readers holding the identity group (cases.queries.search_condition): a reader without it
must not find a case by a passport number, which would tell whose number it is. Existing
cases with documents are moved over; the new column gets the same trigram index as the
other (PostgreSQL: pg_trgm, as 0004; SQLite: an FTS5 table kept by triggers, as 0007)."""

from collections import defaultdict

from django.db import migrations, models

from remis.lib.text import fold_document_number

SQLITE = [
    "CREATE VIRTUAL TABLE case_document_search USING fts5("
    "document_text, content='cases_case', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER case_document_search_insert AFTER INSERT ON cases_case BEGIN "
    "INSERT INTO case_document_search(rowid, document_text) VALUES (new.id, new.document_text); END",
    "CREATE TRIGGER case_document_search_delete AFTER DELETE ON cases_case BEGIN "
    "INSERT INTO case_document_search(case_document_search, rowid, document_text) "
    "VALUES ('delete', old.id, old.document_text); END",
    "CREATE TRIGGER case_document_search_update AFTER UPDATE OF document_text ON cases_case BEGIN "
    "INSERT INTO case_document_search(case_document_search, rowid, document_text) "
    "VALUES ('delete', old.id, old.document_text); "
    "INSERT INTO case_document_search(rowid, document_text) VALUES (new.id, new.document_text); END",
    "INSERT INTO case_document_search(case_document_search) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS case_document_search_insert",
    "DROP TRIGGER IF EXISTS case_document_search_delete",
    "DROP TRIGGER IF EXISTS case_document_search_update",
    "DROP TABLE IF EXISTS case_document_search",
]


def move_numbers(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    IdentityDocument = apps.get_model("cases", "IdentityDocument")
    numbers: dict[int, list[str]] = defaultdict(list)
    rows = IdentityDocument.objects.values_list("person__memberships__case_id", "number")
    for case_id, number in rows.iterator(chunk_size=5000):
        if case_id is not None:
            numbers[case_id].append(fold_document_number(number))
    for case_id, folded in numbers.items():
        text = Case.objects.filter(pk=case_id).values_list("search_text", flat=True).first() or ""
        names = [part for part in text.split(" | ") if part not in set(folded)]
        Case.objects.filter(pk=case_id).update(
            search_text=" | ".join(names), document_text=" | ".join(folded)
        )


def index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE:
            schema_editor.execute(sql)
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX case_document_search_trgm ON cases_case USING gin (document_text gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql)
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_document_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("cases", "0016_retention")]

    operations = [
        # Added by hand: Django would rebuild SQLite's whole cases table for a column with a
        # default (minutes at a million cases), dropping 0007's triggers with it. Both
        # engines add a NOT NULL column with a constant default in place.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE cases_case ADD COLUMN document_text text NOT NULL DEFAULT ''",
                    "ALTER TABLE cases_case DROP COLUMN document_text",
                )
            ],
            state_operations=[
                migrations.AddField(
                    model_name="case", name="document_text", field=models.TextField(blank=True, default="")
                )
            ],
        ),
        migrations.RunPython(move_numbers, migrations.RunPython.noop),
        migrations.RunPython(index, drop_index),
    ]
