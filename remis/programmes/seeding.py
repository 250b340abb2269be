"""Loading the shipped migrant categories and vulnerabilities into their tables.

Takes the models as arguments so migrations can pass their historical models. Existing
rows keep their `active` flag: a deployment that retired a category keeps it retired."""

from __future__ import annotations

from typing import Any

from remis.lib.defaults import load


def seed_categories(category_model: Any, vulnerability_model: Any) -> int:
    count = 0
    for model, name in (
        (category_model, "migrant_categories.yaml"),
        (vulnerability_model, "vulnerabilities.yaml"),
    ):
        for position, row in enumerate(load("programmes", name)):
            model.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "sensitive": row.get("sensitive", False),
                    "position": position,
                },
            )
            count += 1
    return count
