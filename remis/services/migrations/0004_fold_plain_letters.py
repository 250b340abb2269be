"""Providers' search texts folded again with the plain letters (see cases 0019)."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import Q

PLAIN = {"đ": "d", "ð": "d", "ı": "i", "ł": "l", "ø": "o", "ħ": "h", "ŧ": "t", "æ": "ae", "œ": "oe", "þ": "th"}
FIELDS = ("search_text", "area_text", "language_text")


def refold(apps: Any, schema_editor: Any) -> None:
    Provider = apps.get_model("services", "Provider")
    table = str.maketrans(PLAIN)
    having = Q()
    for letter in PLAIN:
        for field in FIELDS:
            having |= Q(**{f"{field}__contains": letter})
    for provider in Provider.objects.filter(having).only("pk", *FIELDS).iterator():
        values = {field: getattr(provider, field).translate(table) for field in FIELDS}
        values["area_text"] = values["area_text"][:300]
        values["language_text"] = values["language_text"][:200]
        Provider.objects.filter(pk=provider.pk).update(**values)


class Migration(migrations.Migration):
    dependencies = [("services", "0003_quality_form_key")]
    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
