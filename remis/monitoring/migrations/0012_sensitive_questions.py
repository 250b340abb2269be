"""The shipped reintegration instrument's questions that the needs assessment puts in a
sensitive field group — distress (psychosocial), discrimination (protection), identity
documents (identity) — put in the same groups in its stored version 1. It changes no
question, answer or score: only who reads the answers (a stored version is otherwise never
edited; a new definition ships as a new version)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

GROUPS = {"distress": "psychosocial", "discrimination": "protection", "identity_documents": "identity"}


def forwards(apps: Any, schema_editor: Any) -> None:
    instrument = apps.get_model("monitoring", "Instrument")
    for row in instrument.objects.filter(code="reintegration-sustainability", version=1):
        definition = row.definition
        for question in definition.get("questions", []):
            group = GROUPS.get(question.get("name"))
            if group and not question.get("sensitive_group"):
                question["sensitive_group"] = group
        row.definition = definition
        row.save(update_fields=["definition"])


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0011_response_corrected_at")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
