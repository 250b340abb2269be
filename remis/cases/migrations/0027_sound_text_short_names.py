"""Similar spellings of short names: a name of one consonant or none (Ba, Bah, Sow, Sy, Awa,
Hawa) had no sound key, and now has one (`remis.lib.text._short_key`). Each case's keys are
computed again from its members' names and written where they changed."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import migrations

from remis.lib.text import sound_text

BATCH = 5000


def refill(apps: Any, schema_editor: Any) -> None:
    """Case by case in id order, written in batches: memory stays flat at a million cases."""
    Case = apps.get_model("cases", "Case")
    CaseMember = apps.get_model("cases", "CaseMember")
    rows = CaseMember.objects.values_list(
        "case_id", "case__sound_text", "person__given_name", "person__family_name", "person__alternate_names"
    ).order_by("case_id")
    names: dict[int, list[str]] = defaultdict(list)
    stored: dict[int, str] = {}

    def write(case_ids: list[int]) -> None:
        keyed = [Case(pk=case_id, sound_text=sound_text(names.pop(case_id))) for case_id in case_ids]
        changed = [c for c in keyed if c.sound_text != stored.pop(c.pk)]
        Case.objects.bulk_update(changed, ["sound_text"], batch_size=BATCH)

    for case_id, current, given, family, alternates in rows.iterator(chunk_size=20000):
        if case_id not in names and len(names) >= BATCH:
            write(list(names))  # every case read so far is complete: rows come by case
        stored[case_id] = current
        names[case_id].append(f"{given} {family}")
        names[case_id].extend(line for line in (alternates or "").splitlines() if line.strip())
    write(list(names))


class Migration(migrations.Migration):
    dependencies = [("cases", "0026_sound_text")]
    operations = [migrations.RunPython(refill, migrations.RunPython.noop)]
