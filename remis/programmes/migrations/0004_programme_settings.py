import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# The small-cell threshold was the constant SMALL_CELL = 5 in remis/cases/queries.py.
SMALL_CELL_BEFORE = 5


def first_versions(apps, schema_editor):
    """Each programme's settings so far become its first version, in force from its start."""
    Programme = apps.get_model("programmes", "Programme")
    ProgrammeSettings = apps.get_model("programmes", "ProgrammeSettings")
    ProgrammeSettings.objects.bulk_create(
        ProgrammeSettings(
            programme=p,
            effective_from=p.starts_on,
            submission_response_days=p.submission_response_days,
            currency=p.currency,
            grant_per_person=p.grant_per_person,
            grant_per_family=p.grant_per_family,
            small_cell_threshold=SMALL_CELL_BEFORE,
            note="Settings before versioning",
        )
        for p in Programme.objects.all()
    )


def back_to_columns(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    ProgrammeSettings = apps.get_model("programmes", "ProgrammeSettings")
    for p in Programme.objects.all():
        first = ProgrammeSettings.objects.filter(programme=p).order_by("effective_from", "id").first()
        if first is not None:
            p.submission_response_days = first.submission_response_days
            p.currency = first.currency
            p.grant_per_person = first.grant_per_person
            p.grant_per_family = first.grant_per_family
            p.save()


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0003_configuration_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ProgrammeSettings",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("effective_from", models.DateField(verbose_name="effective from")),
                (
                    "submission_response_days",
                    models.PositiveSmallIntegerField(verbose_name="days to answer a submission"),
                ),
                ("currency", models.CharField(max_length=3, verbose_name="currency")),
                (
                    "grant_per_person",
                    models.DecimalField(decimal_places=2, max_digits=12, verbose_name="grant per person"),
                ),
                (
                    "grant_per_family",
                    models.DecimalField(decimal_places=2, max_digits=12, verbose_name="grant per family"),
                ),
                ("small_cell_threshold", models.PositiveSmallIntegerField(verbose_name="small-cell threshold")),
                ("note", models.CharField(blank=True, max_length=500, verbose_name="note")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="settings_versions",
                        to="programmes.programme",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "programme settings",
                "ordering": ["-effective_from", "-created_at", "-id"],
                "indexes": [models.Index(fields=["programme", "effective_from"], name="programme_settings_day")],
            },
        ),
        migrations.RunPython(first_versions, back_to_columns),
        migrations.RemoveField(model_name="programme", name="currency"),
        migrations.RemoveField(model_name="programme", name="grant_per_family"),
        migrations.RemoveField(model_name="programme", name="grant_per_person"),
        migrations.RemoveField(model_name="programme", name="submission_response_days"),
    ]
