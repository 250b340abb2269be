from django.db import migrations


def seed(apps, schema_editor):
    from remis.programmes.seeding import seed_categories

    seed_categories(apps.get_model("programmes", "MigrantCategory"), apps.get_model("programmes", "Vulnerability"))


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
