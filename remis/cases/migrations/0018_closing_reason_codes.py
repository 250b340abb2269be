"""Closings recorded without a note stored the closure reason's name in the language of the
person who closed (French on an Arabic reader's page): store its code instead, which each
reader sees by its name in their own language (`Transition.reason_shown`). The names are
those the three languages gave when this was written; a note written by a person stays."""

from __future__ import annotations

from typing import Any

from django.db import migrations

NAMES = {
    "completed": ("Completed", "Achevé", "مكتمل"),
    "remigrated": ("Re-migrated", "Ré-émigré", "هاجر مجددًا"),
    "lost_contact": ("Lost contact", "Contact perdu", "انقطع الاتصال"),
    "withdrew": ("Withdrew", "Retrait", "انسحب"),
    "deceased": ("Deceased", "Décédé", "متوفى"),
    "transferred": ("Transferred", "Transféré", "محوَّل"),
}


def to_codes(apps: Any, schema_editor: Any) -> None:
    Transition = apps.get_model("cases", "Transition")
    for code, names in NAMES.items():
        Transition.objects.filter(to_stage="closed", reason__in=names).update(reason=code)


class Migration(migrations.Migration):
    dependencies = [("cases", "0017_document_search")]

    operations = [migrations.RunPython(to_codes, migrations.RunPython.noop)]
