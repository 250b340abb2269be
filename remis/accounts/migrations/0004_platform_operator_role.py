"""The platform operator role (organisations, roles, shared configuration; no case data)."""

from django.db import migrations


def add_role(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    Role.objects.get_or_create(
        code="platform_operator", defaults={"name": "Platform operator", "permissions": ["platform.manage"]}
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_administrators_erase")]
    operations = [migrations.RunPython(add_role, migrations.RunPython.noop)]
