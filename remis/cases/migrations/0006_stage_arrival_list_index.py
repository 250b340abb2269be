from django.db import migrations

# The case list filtered by stage (and often a country) and sorted by arrival date: read in
# index order, the country checked on the index entries, stopping at the page. Per engine,
# as access_list_arrival: SQLite has no NULLS LAST in an index (scanned backwards, an
# ascending index gives "latest arrival first, not yet arrived last").
INDEX = {
    "sqlite": "CREATE INDEX access_list_stage_arrival ON cases_caseaccess "
    "(organisation_id, stage, arrival_date, id, host_country, origin_country, case_id) "
    "WHERE revoked_at IS NULL",
    "postgresql": "CREATE INDEX access_list_stage_arrival ON cases_caseaccess "
    "(organisation_id, stage, arrival_date DESC NULLS LAST, id DESC, host_country, origin_country, case_id) "
    "WHERE revoked_at IS NULL",
}


def create(apps, schema_editor):
    schema_editor.execute(INDEX[schema_editor.connection.vendor])


def drop(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS access_list_stage_arrival")


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_statistics_indexes")]
    operations = [migrations.RunPython(create, drop)]
