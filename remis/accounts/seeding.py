"""Loading the shipped roles (defaults/roles.yaml) into the Role table.

Takes the model as an argument so migrations can pass their historical model."""

from __future__ import annotations

from typing import Any

from remis.lib.defaults import load


def seed_roles(role_model: Any) -> int:
    spec = load("accounts", "roles.yaml")
    for code, row in spec.items():
        role_model.objects.update_or_create(
            code=code, defaults={"name": row["name"], "permissions": row["permissions"]}
        )
    return len(spec)
