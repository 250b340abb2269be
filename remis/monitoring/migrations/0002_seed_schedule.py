"""The shipped monitoring schedule (3, 6 and 12 months, ±30 days), from defaults/schedules.yaml."""

from django.db import migrations


def forwards(apps, schema_editor):
    from remis.monitoring.configuration import seed_rules

    seed_rules(apps.get_model("monitoring", "ScheduleRules"))


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
