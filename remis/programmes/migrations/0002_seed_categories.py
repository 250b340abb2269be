from django.db import migrations


def seed(apps, schema_editor):
    from remis.lib.defaults import load

    for model, name in (("MigrantCategory", "migrant_categories.yaml"), ("Vulnerability", "vulnerabilities.yaml")):
        Model = apps.get_model("programmes", model)
        for position, row in enumerate(load("programmes", name)):
            Model.objects.update_or_create(
                code=row["code"],
                defaults={"name": row["name"], "sensitive": row.get("sensitive", False), "position": position},
            )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
