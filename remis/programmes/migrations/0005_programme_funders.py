from django.db import migrations, models


def link_funders(apps, schema_editor):
    """Link each programme to the organisation named as its funder, where one exists (names
    of organisations are unique; compared without regard to case or surrounding spaces)."""
    Programme = apps.get_model("programmes", "Programme")
    Organisation = apps.get_model("accounts", "Organisation")
    by_name = {o.name.strip().casefold(): o for o in Organisation.objects.all()}
    for programme in Programme.objects.all():
        funder = by_name.get(programme.funder.strip().casefold())
        if funder is not None:
            programme.funders.add(funder)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_seed_roles"),
        ("programmes", "0004_programme_settings"),
    ]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="funders",
            field=models.ManyToManyField(
                blank=True, related_name="funded_programmes", to="accounts.organisation", verbose_name="funders"
            ),
        ),
        migrations.RunPython(link_funders, migrations.RunPython.noop),
    ]
