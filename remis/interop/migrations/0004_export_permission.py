"""The permission to export case lists and monitoring data, given to the shipped roles that
ship with it (administrator, programme manager, M&E officer)."""

from django.db import migrations

NEW = {"records.export"}


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
    dependencies = [
        ("interop", "0003_record_exports"),
        ("programmes", "0014_indicators_permission"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
