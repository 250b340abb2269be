# The two indexes dropped directly: Django's AlterField would copy the whole table on SQLite
# (twice) and check every round's foreign key again on PostgreSQL, for two DROP INDEX.

import django.db.models.deletion
from django.db import migrations, models

# Django's names for them (the same on every database these migrations built).
CASE_INDEX = "monitoring_followup_case_id_03ecc5d9"
INSTRUMENT_INDEX = "monitoring_followup_instrument_afe7a3db"


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0017_document_search"),
        ("monitoring", "0009_follow_up_walks_in_list_order"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="followup",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="follow_ups",
                        to="cases.case",
                    ),
                ),
                migrations.AlterField(
                    model_name="followup",
                    name="instrument",
                    field=models.SlugField(db_index=False, max_length=64, verbose_name="instrument"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [
                        f"DROP INDEX IF EXISTS {CASE_INDEX}",
                        f"DROP INDEX IF EXISTS {INSTRUMENT_INDEX}",
                        f"DROP INDEX IF EXISTS {INSTRUMENT_INDEX}_like",  # PostgreSQL's LIKE twin
                    ],
                    reverse_sql=[
                        f"CREATE INDEX {CASE_INDEX} ON monitoring_followup (case_id)",
                        f"CREATE INDEX {INSTRUMENT_INDEX} ON monitoring_followup (instrument)",
                    ],
                ),
            ],
        ),
    ]
