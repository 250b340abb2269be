"""Search texts folded before `fold` read the Arabic letters typed one way or the other for
the same name (ى and ي, ة and ه, the Persian ی and ک, ٱ, the tatweel) as one: folded
again, so that "الحسيني" finds "الحسينى" and the duplicate check compares them."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import Q

# The letters as `remis.lib.text.ARABIC_VARIANTS` reads them, as of this migration.
VARIANTS = {"ى": "ي", "ی": "ي", "ې": "ي", "ة": "ه", "ک": "ك", "ٱ": "ا", "ـ": ""}


def refold(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("cases", "Case")
    table = str.maketrans(VARIANTS)
    having = Q()
    for letter in VARIANTS:
        having |= Q(search_text__contains=letter)
    for case in Case.objects.filter(having).only("pk", "search_text").iterator():
        Case.objects.filter(pk=case.pk).update(search_text=case.search_text.translate(table))


class Migration(migrations.Migration):
    dependencies = [("cases", "0023_submissions_cancelled_by_closure")]
    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
