import django.db.models.deletion
from django.db import migrations, models


def link_existing(apps, schema_editor):
    """Submissions made before versioning were made under their programme's first version
    (the only one there is)."""
    Submission = apps.get_model("cases", "Submission")
    ProgrammeSettings = apps.get_model("programmes", "ProgrammeSettings")
    first = {}
    for version in ProgrammeSettings.objects.order_by("effective_from", "id"):
        first.setdefault(version.programme_id, version.pk)
    for programme_id, version_id in first.items():
        Submission.objects.filter(case__programme_id=programme_id, settings_version__isnull=True).update(
            settings_version_id=version_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_person_erased_at"),
        ("programmes", "0004_programme_settings"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="settings_version",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programmes.programmesettings",
            ),
        ),
        migrations.RunPython(link_existing, migrations.RunPython.noop),
    ]
