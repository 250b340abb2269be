import django.utils.timezone
from django.db import migrations, models


def record_current(apps, schema_editor):
    from remis.programmes.seeding import record_files_as_shipped, shipped_kinds

    kinds = shipped_kinds(
        apps.get_model("accounts", "Role"),
        apps.get_model("programmes", "MigrantCategory"),
        apps.get_model("programmes", "Vulnerability"),
    )
    record_files_as_shipped(kinds, apps.get_model("programmes", "ShippedValues"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_seed_roles"),
        ("programmes", "0005_programme_funders"),
    ]

    operations = [
        migrations.CreateModel(
            name="ShippedValues",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=64)),
                ("code", models.CharField(max_length=64)),
                ("values", models.JSONField()),
                ("synced_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("kind", "code"), name="one_shipped_values")],
            },
        ),
        migrations.RunPython(record_current, migrations.RunPython.noop),
    ]
