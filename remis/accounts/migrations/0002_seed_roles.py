from django.db import migrations


def seed_roles(apps, schema_editor):
    from remis.accounts.seeding import seed_roles as load_roles

    load_roles(apps.get_model("accounts", "Role"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed_roles, migrations.RunPython.noop)]
