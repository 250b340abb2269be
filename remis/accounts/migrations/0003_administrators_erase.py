"""Administrators may erase a person's data (the legal erasure path has its own right)."""

from django.db import migrations


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code="administrator"):
        if "person.erase" not in role.permissions:
            role.permissions = [*role.permissions, "person.erase"]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_seed_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
