"""Recording audit entries. Every action in every app calls `record` inside its own
transaction, so the entry exists exactly when the write does."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models

from remis.audit.models import AuditEntry


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a field value."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if hasattr(value, "name") and hasattr(value, "size"):  # an uploaded file
        return str(value.name)
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields` on `obj`, ready for `diff`."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted((obj.pk and getattr(obj, name).values_list("pk", flat=True)) or [])
        elif field.is_relation:
            values[name] = getattr(obj, f"{name}_id")
        else:
            values[name] = _plain(getattr(obj, name))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [before, after]}."""
    keys = list(dict.fromkeys([*before, *after]))
    return {
        k: [_plain(before.get(k)), _plain(after.get(k))]
        for k in keys
        if _plain(before.get(k)) != _plain(after.get(k))
    }


def record(
    actor: Any,
    action: str,
    obj: models.Model,
    *,
    changes: dict[str, list[Any]] | None = None,
    case_uuid: uuid.UUID | None = None,
    organisation_id: int | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        organisation_id=organisation_id,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        case_uuid=case_uuid,
        changes=changes or {},
    )


def created(obj: models.Model, fields: Iterable[str]) -> dict[str, list[Any]]:
    """Changes for a new row: every field from None to its value."""
    return {k: [None, v] for k, v in snapshot(obj, fields).items() if v not in (None, "", [])}
