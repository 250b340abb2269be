"""Search texts folded before `fold` read the letters that carry their mark in the letter
(đ, ı, ł, ø…) as plain letters: folded again, so that "Duc" finds "Đức"."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import Q

# The letters as `remis.lib.text.PLAIN_LETTERS` reads them, as of this migration.
PLAIN = {"đ": "d", "ð": "d", "ı": "i", "ł": "l", "ø": "o", "ħ": "h", "ŧ": "t", "æ": "ae", "œ": "oe", "þ": "th"}


def refold(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("cases", "Case")
    table = str.maketrans(PLAIN)
    having = Q()
    for letter in PLAIN:
        having |= Q(search_text__contains=letter)
    for case in Case.objects.filter(having).only("pk", "search_text").iterator():
        Case.objects.filter(pk=case.pk).update(search_text=case.search_text.translate(table))


class Migration(migrations.Migration):
    dependencies = [("cases", "0018_closing_reason_codes")]
    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
