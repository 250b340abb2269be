"""Recording audit entries. Every action in every app calls `record` inside its own
transaction, so the entry exists exactly when the write does."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from remis.audit.chain import entry_hash, lock_head
from remis.audit.models import AuditEntry
from remis.audit.registry import personal_fields
from remis.audit.sealing import keys_for, seal_changes, subject_for
from remis.lib.bulk import insert_objects, unsaved
from remis.lib.ids import as_uuid


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a field value."""
    if value is None or type(value) in (str, int, bool):  # most values, at once
        return value
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
    changed: dict[str, list[Any]] = {}
    for k in dict.fromkeys([*before, *after]):
        old, new = _plain(before.get(k)), _plain(after.get(k))  # each once: imports diff thousands
        if old != new:
            changed[k] = [old, new]
    return changed


def record(
    actor: Any,
    action: str,
    obj: models.Model,
    *,
    changes: dict[str, list[Any]] | None = None,
    case_uuid: uuid.UUID | str | None = None,
    organisation_id: int | None = None,
) -> AuditEntry:
    """Append an entry to the log, chained to the latest one.

    It takes the log's append lock, held until the caller's transaction ends: appends are
    serialised, so two writers never chain to the same entry and `at`, read under the
    lock, never goes backwards. On PostgreSQL that makes a transaction that took a row lock
    and then records wait for one that recorded and then asks for that row: record after
    taking your row locks, as the last write of the action where you can.

    Pass `case_uuid` for anything that belongs to a case (a person included): the audit
    search shows such entries only to people who can see the case.
    """
    return record_many(actor, action, [(obj, changes, case_uuid)], organisation_id=organisation_id)[0]


def _entry(
    actor: Any,
    action: str,
    obj: models.Model,
    changes: dict[str, list[Any]] | None,
    case_uuid: uuid.UUID | str | None,
    organisation_id: int | None,
    keys: dict[str, bytes | None] | None = None,
) -> AuditEntry:
    object_type = obj._meta.label_lower
    if organisation_id is None:
        organisation_id = _organisation_of(object_type, obj)
    # The values as the database will give them back (tuples become lists, text choices
    # plain strings), so the hash computed now is the one verification recomputes.
    stored_changes = json.loads(json.dumps(changes or {}))
    personal = personal_fields(object_type) or frozenset()
    known_actor = actor if getattr(actor, "pk", None) else None
    entry = unsaved(
        AuditEntry,
        {
            "id": None,
            "at": None,  # set with the hash, under the append lock
            "hash": "",
            "actor_id": known_actor.pk if known_actor else None,
            "organisation_id": organisation_id,
            "action": action,
            "object_type": object_type,
            "object_id": str(obj.pk),
            "case_uuid": as_uuid(case_uuid) if case_uuid else None,
            "changes": stored_changes,
            "personal_fields": sorted(personal & set(stored_changes)),
        },
    )
    if known_actor is not None:
        entry._state.fields_cache["actor"] = known_actor  # as `AuditEntry(actor=...)` keeps it
    # Personal values are kept sealed under their subject's key, so that erasing a person
    # (destroying the key) removes them from the log without rewriting it.
    subject = subject_for(object_type, entry.object_id, case_uuid)
    if keys is not None and subject in keys:
        entry.changes = seal_changes(stored_changes, entry.personal_fields, subject, keys[subject])
    else:
        entry.changes = seal_changes(stored_changes, entry.personal_fields, subject)
    return entry


def _organisation_of(object_type: str, obj: Any) -> int | None:
    """The organisation an entry about an organisation, a membership or an invitation is
    about: its administrators search it, and only they (an administrator of another
    organisation the same person belongs to read it as that person's doing)."""
    if object_type == "accounts.organisation":
        return int(obj.pk)
    if object_type == "accounts.membership":
        return int(obj.organisation_id)
    if object_type == "accounts.invitation":
        return int(obj.membership.organisation_id)
    return None


def record_many(
    actor: Any,
    action: str,
    items: list[tuple[models.Model, dict[str, list[Any]] | None, uuid.UUID | str | None]],
    *,
    organisation_id: int | None = None,
) -> list[AuditEntry]:
    """Append one entry per (object, changes, case uuid), chained in order under one take of
    the append lock: what `record` does for each, for writes made in bulk (an import)."""
    keys = None
    if len(items) > 1:  # read and create the subjects' keys together (a bulk import)
        keys = keys_for(
            subject_for(obj._meta.label_lower, str(obj.pk), case_uuid)
            for obj, changes, case_uuid in items
            if (personal_fields(obj._meta.label_lower) or frozenset()) & set(changes or {})
        )
    entries = [
        _entry(actor, action, obj, changes, case_uuid, organisation_id, keys)
        for obj, changes, case_uuid in items
    ]
    if not entries:
        return entries
    with transaction.atomic():
        head = lock_head()
        now = timezone.now()
        # A clock stepped back must not make the log refuse writes (the database refuses
        # an entry older than the latest), so time never runs backwards in the log.
        at = max(now, head.at) if head.at else now
        previous = head.hash
        for entry in entries:
            entry.at = at
            entry.hash = entry_hash(entry, previous)
            previous = entry.hash
        if len(entries) == 1:
            entries[0].save(force_insert=True)
        else:
            insert_objects(AuditEntry, entries)  # ids not read back: nothing asks for them
    return entries


def created(obj: models.Model, fields: Iterable[str]) -> dict[str, list[Any]]:
    """Changes for a new row: every field from None to its value."""
    return {k: [None, v] for k, v in snapshot(obj, fields).items() if v not in (None, "", [])}
