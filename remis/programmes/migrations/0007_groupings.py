import django.db.models.deletion
from django.db import migrations, models


def seed(apps, schema_editor):
    from remis.programmes.seeding import seed_groupings

    seed_groupings(apps.get_model("programmes", "Grouping"), apps.get_model("programmes", "GroupingCountry"))


class Migration(migrations.Migration):
    dependencies = [("programmes", "0006_shipped_values")]

    operations = [
        migrations.CreateModel(
            name="Grouping",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=64, unique=True)),
                ("name", models.CharField(max_length=120)),
                ("names", models.JSONField(blank=True, default=dict)),
                ("scheme", models.SlugField(blank=True, max_length=64)),
                ("source", models.CharField(blank=True, max_length=300)),
            ],
            options={"ordering": ["scheme", "name"]},
        ),
        migrations.CreateModel(
            name="GroupingCountry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("country", models.CharField(max_length=2)),
                (
                    "grouping",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="members", to="programmes.grouping"
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["country"], name="grouping_country")],
                "constraints": [models.UniqueConstraint(fields=("grouping", "country"), name="one_grouping_country")],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
