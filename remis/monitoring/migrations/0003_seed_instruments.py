"""The shipped monitoring instruments (reintegration sustainability, satisfaction with an
assistance item), and the shipped schedule naming the first by its code."""

from django.db import migrations


def forwards(apps, schema_editor):
    from remis.monitoring.configuration import seed_instruments, shipped

    seed_instruments(apps.get_model("monitoring", "Instrument"))
    ScheduleRules = apps.get_model("monitoring", "ScheduleRules")
    ScheduleRules.objects.filter(programme__isnull=True).update(rounds=shipped()["rounds"])


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0002_seed_schedule")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
