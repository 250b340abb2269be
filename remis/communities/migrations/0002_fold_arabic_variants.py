"""Community projects' search texts folded again with the Arabic letter variants (see
cases 0024)."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import Q

VARIANTS = {"ى": "ي", "ی": "ي", "ې": "ي", "ة": "ه", "ک": "ك", "ٱ": "ا", "ـ": ""}


def refold(apps: Any, schema_editor: Any) -> None:
    Project = apps.get_model("communities", "CommunityProject")
    table = str.maketrans(VARIANTS)
    having = Q()
    for letter in VARIANTS:
        having |= Q(search_text__contains=letter)
    for project in Project.objects.filter(having).only("pk", "search_text").iterator():
        Project.objects.filter(pk=project.pk).update(search_text=project.search_text.translate(table))


class Migration(migrations.Migration):
    dependencies = [("communities", "0001_initial")]
    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
