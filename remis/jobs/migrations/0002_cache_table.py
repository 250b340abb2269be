"""The shared cache's table (settings.CACHES, the database cache by default), made by
`migrate` so a fresh clone, CI and a production database all have it without another step.
`createcachetable` makes only tables that do not exist yet, so it is safe to run again."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
