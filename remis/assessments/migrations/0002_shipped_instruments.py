"""Load the shipped instruments (defaults/instruments.yaml). A later shipped version is
loaded by a later migration calling the same function: versions already present stay."""

from django.db import migrations


def forwards(apps, schema_editor):
    from remis.assessments.seeding import load_instruments

    load_instruments(
        apps.get_model("assessments", "Instrument"),
        apps.get_model("assessments", "Question"),
        apps.get_model("assessments", "Choice"),
        apps.get_model("assessments", "FlagRule"),
        apps.get_model("programmes", "Vulnerability"),
    )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial"), ("programmes", "0002_seed_categories")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
