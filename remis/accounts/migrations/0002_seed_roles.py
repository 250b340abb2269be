from django.db import migrations


def seed_roles(apps, schema_editor):
    from remis.lib.defaults import load

    Role = apps.get_model("accounts", "Role")
    for code, spec in load("accounts", "roles.yaml").items():
        Role.objects.update_or_create(code=code, defaults={"name": spec["name"], "permissions": spec["permissions"]})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed_roles, migrations.RunPython.noop)]
