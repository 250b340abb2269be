from django.db import migrations


def seed(apps, schema_editor):
    from remis.services.seeding import seed_sectors

    seed_sectors(apps.get_model("services", "Sector"))


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
