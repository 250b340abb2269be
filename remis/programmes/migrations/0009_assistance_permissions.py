"""The permissions of reintegration assistance (assessments, plans, approvals, payments, the
service map, referrals), given to the shipped roles that ship with them."""

from django.db import migrations

NEW = {
    "assessment.record",
    "plan.edit",
    "plan.approve",
    "payment.record",
    "services.manage",
    "referral.send",
    "referral.answer",
}


def forwards(apps, schema_editor):
    from remis.programmes.seeding import ship_new_permissions

    ship_new_permissions(apps.get_model("accounts", "Role"), apps.get_model("programmes", "ShippedValues"), NEW)


def backwards(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.all():
        role.permissions = [p for p in role.permissions if p not in NEW]
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("programmes", "0008_sensitive_field_groups")]
    operations = [migrations.RunPython(forwards, backwards)]
