"""The shipped core indicator framework (defaults/core_framework.yaml), active."""

from django.db import migrations


def forwards(apps, schema_editor):
    from remis.indicators.configuration import seed_framework

    seed_framework(apps.get_model("indicators", "Framework"), apps.get_model("indicators", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
