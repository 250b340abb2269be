"""Loading shipped configuration (roles, migrant categories, vulnerabilities, groupings)
into its tables, without undoing an administrator's changes.

Functions take the models as arguments so migrations can pass their historical models.

How sync tells an administrator's change from a shipped value: for each shipped item it
keeps what it last applied (`ShippedValues`). An item whose current values equal those
is untouched and takes the newly shipped values; one that differs was changed here and is
kept as it is (`customised`). Items missing from the database are added. `active` is never
synchronised: a deployment that retired a category keeps it retired."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from remis.lib.defaults import load

CATEGORY_FIELDS = ("name", "names", "sensitive_group", "position")
ROLE_FIELDS = ("name", "permissions")


def _shipped(category_model: Any, vulnerability_model: Any) -> Iterator[tuple[Any, int, dict[str, Any]]]:
    """(model, position, row) for every shipped category and vulnerability."""
    for model, name in (
        (category_model, "migrant_categories.yaml"),
        (vulnerability_model, "vulnerabilities.yaml"),
    ):
        for position, row in enumerate(load("programmes", name)):
            yield model, position, row


def seed_categories(category_model: Any, vulnerability_model: Any) -> int:
    """The first load, by migration 0002, into empty tables."""
    count = 0
    for model, position, row in _shipped(category_model, vulnerability_model):
        defaults = {"name": row["name"], "position": position}
        # Migrations older than the sensitive field groups pass models with a flag instead.
        if any(f.name == "sensitive_group" for f in model._meta.get_fields()):
            defaults["sensitive_group"] = row.get("sensitive_group", "")
        else:
            defaults["sensitive"] = bool(row.get("sensitive_group"))
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


@dataclass(frozen=True)
class ShippedKind:
    """One kind of shipped item: its model, the fields shipped and the shipped rows."""

    kind: str  # the model's label, as stored in ShippedValues.kind
    model: Any
    fields: tuple[str, ...]
    rows: dict[str, dict[str, Any]]  # code -> shipped values of `fields`


def shipped_kinds(role_model: Any, category_model: Any, vulnerability_model: Any) -> list[ShippedKind]:
    roles = {
        code: {"name": row["name"], "permissions": list(row["permissions"])}
        for code, row in load("accounts", "roles.yaml").items()
    }
    kinds = [ShippedKind("accounts.role", role_model, ROLE_FIELDS, roles)]
    for label, model in (
        ("programmes.migrantcategory", category_model),
        ("programmes.vulnerability", vulnerability_model),
    ):
        rows = {
            row["code"]: {
                "name": row["name"],
                "names": row.get("names", {}),
                "sensitive_group": row.get("sensitive_group", ""),
                "position": position,
            }
            for _model, position, row in _shipped(category_model, vulnerability_model)
            if _model is model
        }
        kinds.append(ShippedKind(label, model, CATEGORY_FIELDS, rows))
    return kinds


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _current(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)  # "kind:code" of items created
    updated: list[str] = field(default_factory=list)  # untouched items given new shipped values
    customised: list[str] = field(default_factory=list)  # changed here, left alone


def sync_shipped(kinds: list[ShippedKind], shipped_model: Any) -> SyncReport:
    report = SyncReport()
    for kind in kinds:
        objects = {obj.code: obj for obj in kind.model.objects.all()}
        last = {s.code: s for s in shipped_model.objects.filter(kind=kind.kind)}
        for code, values in kind.rows.items():
            obj = objects.get(code)
            name = f"{kind.kind}:{code}"
            if obj is None:
                kind.model.objects.create(code=code, **values)
                report.added.append(name)
            elif _same(_current(obj, kind.fields), values):
                pass  # already as shipped
            elif code in last and _same(_current(obj, kind.fields), last[code].values):
                for attr, value in values.items():
                    setattr(obj, attr, value)
                obj.save(update_fields=list(kind.fields))
                report.updated.append(name)
            else:
                report.customised.append(name)
                continue  # what was last shipped stays the reference for "untouched"
            shipped_model.objects.update_or_create(kind=kind.kind, code=code, defaults={"values": values})
    return report


def record_files_as_shipped(kinds: list[ShippedKind], shipped_model: Any) -> int:
    """Take the shipped files as what sync last applied, for the items in the database. Until
    this table existed sync overwrote every shipped item, so an item that differs from the
    files was most likely changed by an administrator since the last sync: it is kept (and
    listed by sync) rather than overwritten."""
    count = 0
    for kind in kinds:
        for code in kind.model.objects.filter(code__in=list(kind.rows)).values_list("code", flat=True):
            shipped_model.objects.update_or_create(
                kind=kind.kind, code=code, defaults={"values": kind.rows[code]}
            )
            count += 1
    return count


def seed_groupings(grouping_model: Any, member_model: Any) -> list[str]:
    """Add the shipped groupings (defaults/groupings.yaml) that are missing, by code; a
    grouping that exists is the deployment's to change and is left as it is."""
    added = []
    for row in load("programmes", "groupings.yaml"):
        if grouping_model.objects.filter(code=row["code"]).exists():
            continue
        grouping = grouping_model.objects.create(
            code=row["code"],
            name=row["name"],
            names=row.get("names", {}),
            scheme=row.get("scheme", ""),
            source=row.get("source", ""),
        )
        member_model.objects.bulk_create(
            [member_model(grouping=grouping, country=str(c)) for c in row["countries"]]
        )
        added.append(row["code"])
    return added


def ship_new_permissions(role_model: Any, shipped_model: Any, permissions: set[str]) -> list[str]:
    """Give the shipped roles the new `permissions` that roles.yaml gives them, as sync would:
    a role still as last shipped takes them (and its shipped record follows); a role an
    administrator changed is left for them to decide (sync lists it as customised). For the
    migration that introduces the permissions. Returns the codes of the roles changed."""
    changed = []
    for code, row in load("accounts", "roles.yaml").items():
        new = [p for p in row["permissions"] if p in permissions]
        role = role_model.objects.filter(code=code).first()
        if not new or role is None:
            continue
        last = shipped_model.objects.filter(kind="accounts.role", code=code).first()
        if last is not None and not _same(_current(role, ROLE_FIELDS), last.values):
            continue  # customised here
        role.permissions = [*role.permissions, *(p for p in new if p not in role.permissions)]
        role.save(update_fields=["permissions"])
        if last is not None:
            last.values = {**last.values, "permissions": role.permissions}
            last.save(update_fields=["values"])
        changed.append(code)
    return changed
