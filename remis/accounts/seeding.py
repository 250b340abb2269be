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


def seed_role_names(role_model: Any) -> list[str]:
    """Give each shipped role still named as shipped its name's translations (roles.yaml's
    `names`); a role renamed here keeps none (they would translate the old name). Returns
    the codes changed."""
    changed = []
    for code, row in load("accounts", "roles.yaml").items():
        names = dict(row.get("names") or {})
        role = role_model.objects.filter(code=code, name=row["name"]).first()
        if role is not None and role.names != names:
            role.names = names
            role.save(update_fields=["names"])
            changed.append(code)
    return changed
