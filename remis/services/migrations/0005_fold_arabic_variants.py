"""Providers' search texts folded again with the Arabic letter variants (see cases 0024)."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import Q

VARIANTS = {"ى": "ي", "ی": "ي", "ې": "ي", "ة": "ه", "ک": "ك", "ٱ": "ا", "ـ": ""}
FIELDS = ("search_text", "area_text", "language_text")


def refold(apps: Any, schema_editor: Any) -> None:
    Provider = apps.get_model("services", "Provider")
    table = str.maketrans(VARIANTS)
    having = Q()
    for letter in VARIANTS:
        for field in FIELDS:
            having |= Q(**{f"{field}__contains": letter})
    for provider in Provider.objects.filter(having).only("pk", *FIELDS).iterator():
        values = {field: getattr(provider, field).translate(table) for field in FIELDS}
        Provider.objects.filter(pk=provider.pk).update(**values)


class Migration(migrations.Migration):
    dependencies = [("services", "0004_fold_plain_letters")]
    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
