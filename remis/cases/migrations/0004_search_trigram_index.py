"""Name, reference and document search matches substrings of the folded search column.
On PostgreSQL a trigram GIN index (pg_trgm, a trusted extension) serves those LIKE
'%…%' matches; SQLite has no equivalent index and scans (see docs/benchmarks.md)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE INDEX case_search_trgm ON cases_case USING gin (search_text gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_covering_list_indexes")]
    operations = [migrations.RunPython(create, drop)]
