"""The sensitive field groups replace the single "sensitive" flag and `case.view_sensitive`.

Categories and vulnerabilities name their group (health, protection, psychosocial,
identity) instead of a flag; shipped items take the shipped group, a deployment's own
sensitive item goes to "protection" (the group guarding the gravest details, so nothing
becomes more visible than before). Every role that held `case.view_sensitive` holds the four
group permissions, which is exactly what it saw before; administrators gain
`organisation.manage`. What sync last applied (ShippedValues) is rewritten the same way, so
that sync still tells untouched items from an administrator's changes."""

from django.db import migrations, models

SHIPPED_GROUPS = {
    "medical_condition": "health",
    "mental_health": "psychosocial",
    "disability": "health",
    "victim_of_trafficking": "protection",
    "gbv_survivor": "protection",
    "pregnant": "health",
}
GROUP_PERMISSIONS = ["sensitive.health", "sensitive.protection", "sensitive.psychosocial", "sensitive.identity"]
CATEGORY_KINDS = ("programmes.migrantcategory", "programmes.vulnerability")


def _group(code, sensitive):
    return SHIPPED_GROUPS.get(code, "protection") if sensitive else ""


def _permissions(code, permissions):
    out = []
    for perm in permissions:
        if perm == "case.view_sensitive":
            out.extend(p for p in GROUP_PERMISSIONS if p not in permissions)
        else:
            out.append(perm)
    if code == "administrator" and "organisation.manage" not in out:
        out.append("organisation.manage")
    return out


def forwards(apps, schema_editor):
    for name in ("MigrantCategory", "Vulnerability"):
        model = apps.get_model("programmes", name)
        for item in model.objects.filter(sensitive=True):
            item.sensitive_group = _group(item.code, True)
            item.save(update_fields=["sensitive_group"])
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.all():
        role.permissions = _permissions(role.code, role.permissions)
        role.save(update_fields=["permissions"])
    ShippedValues = apps.get_model("programmes", "ShippedValues")
    for shipped in ShippedValues.objects.all():
        values = dict(shipped.values)
        if shipped.kind in CATEGORY_KINDS and "sensitive" in values:
            values["sensitive_group"] = _group(shipped.code, values.pop("sensitive"))
        elif shipped.kind == "accounts.role":
            values["permissions"] = _permissions(shipped.code, values.get("permissions", []))
        else:
            continue
        shipped.values = values
        shipped.save(update_fields=["values"])


def backwards(apps, schema_editor):
    for name in ("MigrantCategory", "Vulnerability"):
        model = apps.get_model("programmes", name)
        model.objects.exclude(sensitive_group="").update(sensitive=True)
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.all():
        perms = [p for p in role.permissions if p not in GROUP_PERMISSIONS and p != "organisation.manage"]
        if any(p in role.permissions for p in GROUP_PERMISSIONS):
            perms.insert(1, "case.view_sensitive")
        role.permissions = perms
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_platform_operator_role"),
        ("programmes", "0007_groupings"),
    ]

    operations = [
        migrations.AddField(
            model_name="migrantcategory",
            name="sensitive_group",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.AddField(
            model_name="vulnerability",
            name="sensitive_group",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="migrantcategory", name="sensitive"),
        migrations.RemoveField(model_name="vulnerability", name="sensitive"),
    ]
