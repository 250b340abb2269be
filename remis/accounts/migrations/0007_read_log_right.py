"""The read log's right: administrators hold it, and a data-protection focal point role
holds it with the audit search (roles.yaml)."""

from django.db import migrations


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code="administrator"):
        if "audit.read_log" not in role.permissions:
            role.permissions = [*role.permissions, "audit.read_log"]
            role.save(update_fields=["permissions"])
    Role.objects.get_or_create(
        code="data_protection_focal_point",
        defaults={"name": "Data-protection focal point", "permissions": ["audit.read_log", "audit.view_all"]},
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_api_token_access_and_expiry")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
