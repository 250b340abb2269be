"""The shipped roles' names in French and Arabic (roles.yaml's `names`), for roles still
named as shipped."""

from django.db import migrations, models


def names(apps, schema_editor):
    from remis.accounts.seeding import seed_role_names

    seed_role_names(apps.get_model("accounts", "Role"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_read_log_right")]

    operations = [
        migrations.AddField(model_name="role", name="names", field=models.JSONField(blank=True, default=dict)),
        migrations.RunPython(names, migrations.RunPython.noop),
    ]
