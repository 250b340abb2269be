"""The permission to keep indicator frameworks, given to the shipped roles that ship with it
(programme manager, M&E officer)."""

from django.db import migrations

NEW = {"indicators.manage"}


def forwards(apps, schema_editor):
    from remis.programmes.seeding import ship_new_permissions

    ship_new_permissions(
        apps.get_model("accounts", "Role"), apps.get_model("programmes", "ShippedValues"), NEW
    )


def backwards(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.all():
        role.permissions = [p for p in role.permissions if p not in NEW]
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("programmes", "0013_community_projects_permission")]
    operations = [migrations.RunPython(forwards, backwards)]
