"""Put back "one response per round" where 0007 lost it.

On PostgreSQL, 0007's AlterField (the follow-up key's own index turned off) dropped every
plain index on the column, this partial unique index among them; SQLite rebuilt the table
and kept it. The model state never lost the constraint, so only the database is mended: the
index is created where it is missing. A round answered twice meanwhile stops the migration
with the rounds to look at, rather than a choice of which answers to drop."""

from django.db import migrations
from django.db.models import Count


def restore(apps, schema_editor):
    response = apps.get_model("monitoring", "Response")
    table = response._meta.db_table
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if "response_one_per_round" in connection.introspection.get_constraints(cursor, table):
            return
    twice = list(
        response.objects.filter(follow_up__isnull=False)
        .values("follow_up")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("follow_up")
        .values_list("follow_up", flat=True)
    )
    if twice:
        raise RuntimeError(
            "Follow-up rounds answered more than once (monitoring_followup ids "
            f"{twice[:50]}): keep one response per round, then run the migration again."
        )
    (constraint,) = [c for c in response._meta.constraints if c.name == "response_one_per_round"]
    schema_editor.add_constraint(response, constraint)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0007_response_fewer_indexes")]

    operations = [migrations.RunPython(restore, migrations.RunPython.noop)]
