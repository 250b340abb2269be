"""Search by similar spelling: each case's sound keys (`remis.lib.text.sound_text`) of its
members' names and alternate spellings, in a column of their own so that an ordinary search
never matches a key; computed for the cases already stored, and indexed as the names are
(an FTS5 trigram table on SQLite, kept in step by triggers; pg_trgm on PostgreSQL). Later
changes to the rules compute the keys again in a migration of their own."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import migrations, models

from remis.lib.text import sound_text

SQLITE = [
    "CREATE VIRTUAL TABLE case_sound USING fts5("
    "sound_text, content='cases_case', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER case_sound_insert AFTER INSERT ON cases_case BEGIN "
    "INSERT INTO case_sound(rowid, sound_text) VALUES (new.id, new.sound_text); END",
    "CREATE TRIGGER case_sound_delete AFTER DELETE ON cases_case BEGIN "
    "INSERT INTO case_sound(case_sound, rowid, sound_text) VALUES ('delete', old.id, old.sound_text); END",
    "CREATE TRIGGER case_sound_update AFTER UPDATE OF sound_text ON cases_case BEGIN "
    "INSERT INTO case_sound(case_sound, rowid, sound_text) VALUES ('delete', old.id, old.sound_text); "
    "INSERT INTO case_sound(rowid, sound_text) VALUES (new.id, new.sound_text); END",
    "INSERT INTO case_sound(case_sound) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS case_sound_insert",
    "DROP TRIGGER IF EXISTS case_sound_delete",
    "DROP TRIGGER IF EXISTS case_sound_update",
    "DROP TABLE IF EXISTS case_sound",
]
BATCH = 5000


def fill(apps: Any, schema_editor: Any) -> None:
    """Case by case in id order, written in batches: memory stays flat at a million cases."""
    Case = apps.get_model("cases", "Case")
    CaseMember = apps.get_model("cases", "CaseMember")
    rows = CaseMember.objects.values_list(
        "case_id", "person__given_name", "person__family_name", "person__alternate_names"
    ).order_by("case_id")
    names: dict[int, list[str]] = defaultdict(list)

    def write(case_ids: list[int]) -> None:
        keyed = [Case(pk=case_id, sound_text=sound_text(names.pop(case_id))) for case_id in case_ids]
        Case.objects.bulk_update([c for c in keyed if c.sound_text], ["sound_text"], batch_size=BATCH)

    for case_id, given, family, alternates in rows.iterator(chunk_size=20000):
        if case_id not in names and len(names) >= BATCH:
            write(list(names))  # every case read so far is complete: rows come by case
        names[case_id].append(f"{given} {family}")
        names[case_id].extend(line for line in (alternates or "").splitlines() if line.strip())
    write(list(names))


def index(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for sql in SQLITE:
            schema_editor.execute(sql)
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX case_sound_trgm ON cases_case USING gin (sound_text gin_trgm_ops)"
        )


def unindex(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql)
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_sound_trgm")


class Migration(migrations.Migration):
    dependencies = [("cases", "0025_access_accepted_index")]
    operations = [
        # Added by hand, as 0017's column: Django would rebuild SQLite's whole cases table
        # for a column with a default, dropping the other search indexes' triggers with it.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE cases_case ADD COLUMN sound_text text NOT NULL DEFAULT ''",
                    "ALTER TABLE cases_case DROP COLUMN sound_text",
                )
            ],
            state_operations=[
                migrations.AddField(
                    model_name="case", name="sound_text", field=models.TextField(blank=True, default="")
                )
            ],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(index, unindex),
    ]
