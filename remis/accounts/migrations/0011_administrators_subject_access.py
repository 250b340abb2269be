"""Administrators may export everything held about a person for their access request."""

from django.db import migrations


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code="administrator"):
        if "person.subject_access" not in role.permissions:
            role.permissions = [*role.permissions, "person.subject_access"]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0010_user_session_epoch")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
