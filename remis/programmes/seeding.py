"""Loading the shipped migrant categories and vulnerabilities into their tables.

Takes the models as arguments so migrations can pass their historical models. Existing
rows keep their `active` flag: a deployment that retired a category keeps it retired."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from remis.lib.defaults import load


def _shipped(category_model: Any, vulnerability_model: Any) -> Iterator[tuple[Any, int, dict[str, Any]]]:
    """(model, position, row) for every shipped category and vulnerability."""
    for model, name in (
        (category_model, "migrant_categories.yaml"),
        (vulnerability_model, "vulnerabilities.yaml"),
    ):
        for position, row in enumerate(load("programmes", name)):
            yield model, position, row


def seed_categories(category_model: Any, vulnerability_model: Any) -> int:
    count = 0
    for model, position, row in _shipped(category_model, vulnerability_model):
        defaults = {"name": row["name"], "sensitive": row.get("sensitive", False), "position": position}
        # Migrations older than the `names` column pass models without it.
        if any(f.name == "names" for f in model._meta.get_fields()):
            defaults["names"] = row.get("names", {})
        model.objects.update_or_create(code=row["code"], defaults=defaults)
        count += 1
    return count


def fill_translations(category_model: Any, vulnerability_model: Any) -> int:
    """Give shipped rows that have no translations yet the shipped ones; a name a deployment
    changed or translated itself is left alone."""
    count = 0
    for model, _position, row in _shipped(category_model, vulnerability_model):
        count += model.objects.filter(code=row["code"], names={}).update(names=row.get("names", {}))
    return count
