"""SQLite's counterpart of 0004's trigram index: an FTS5 table with the trigram tokenizer
over the folded search column (external content: it stores only the index), kept in step
by triggers. `LIKE '%…%'` on it is answered from the index; see cases.queries.search_condition.
PostgreSQL keeps its pg_trgm index and skips this."""

from django.db import migrations

CREATE = [
    "CREATE VIRTUAL TABLE case_search USING fts5("
    "search_text, content='cases_case', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER case_search_insert AFTER INSERT ON cases_case BEGIN "
    "INSERT INTO case_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER case_search_delete AFTER DELETE ON cases_case BEGIN "
    "INSERT INTO case_search(case_search, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER case_search_update AFTER UPDATE OF search_text ON cases_case BEGIN "
    "INSERT INTO case_search(case_search, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO case_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO case_search(case_search) VALUES ('rebuild')",
]
DROP = [
    "DROP TRIGGER IF EXISTS case_search_insert",
    "DROP TRIGGER IF EXISTS case_search_delete",
    "DROP TRIGGER IF EXISTS case_search_update",
    "DROP TABLE IF EXISTS case_search",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in CREATE:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_stage_arrival_list_index")]
    operations = [migrations.RunPython(create, drop)]
