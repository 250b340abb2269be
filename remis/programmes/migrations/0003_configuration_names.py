from django.db import migrations, models


def translate(apps, schema_editor):
    from remis.programmes.seeding import fill_translations

    fill_translations(apps.get_model("programmes", "MigrantCategory"), apps.get_model("programmes", "Vulnerability"))


class Migration(migrations.Migration):
    dependencies = [("programmes", "0002_seed_categories")]

    operations = [
        migrations.AddField(
            model_name="migrantcategory",
            name="names",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="vulnerability",
            name="names",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(translate, migrations.RunPython.noop),
    ]
