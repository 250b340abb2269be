"""The hash chain that makes the audit log tamper-evident.

Each entry's `hash` is the SHA-256 of a canonical serialisation of the entry together with
the previous entry's hash (by id; the first entry follows `GENESIS`). Changing, inserting
or removing an entry breaks the link at that entry or the one after it, which
`verify_chain` (`manage.py verify_audit`) reports.

What the hash covers is what the log keeps for ever: when, who, for which organisation, the
action, the object, the case's UUID, the names of the changed fields, which of them are
personal, and the values of the non-personal ones. Values of personal fields
(`registry.register_personal_fields`) are left out so that erasing them keeps the chain
valid; an erasure must keep the field's key in `changes` and only replace its values.

The serialisation is part of the stored data: every existing hash depends on it. Change it
only with a new version number and a way to verify both.

Limits: the chain is plain SHA-256, so someone with write access to the database who
recomputes every hash from the entry they changed onwards leaves a chain that verifies.
`verify_audit` prints the last entry's hash: keep it somewhere the database's
administrators cannot write (a ticket, another system's log) and compare it later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection

from remis.audit.models import AuditEntry
from remis.lib.ids import as_uuid

GENESIS = "0" * 64
FORMAT_VERSION = 1
# The PostgreSQL advisory lock that serialises appends (an arbitrary constant: "remis.au").
LOCK_KEY = int.from_bytes(b"remis.au", "big")


def _timestamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(entry: AuditEntry, previous_hash: str) -> bytes:
    """The bytes the entry's hash is computed over."""
    changes: dict[str, Any] = entry.changes or {}
    personal = sorted(entry.personal_fields or [])
    body = {
        "v": FORMAT_VERSION,
        "previous": previous_hash,
        "at": _timestamp(entry.at),
        "actor": entry.actor_id,
        "organisation": entry.organisation_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "case_uuid": str(as_uuid(entry.case_uuid)) if entry.case_uuid else None,
        "fields": sorted(changes),
        "personal": personal,
        "values": {k: v for k, v in changes.items() if k not in personal},
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def entry_hash(entry: AuditEntry, previous_hash: str) -> str:
    return hashlib.sha256(canonical(entry, previous_hash)).hexdigest()


@dataclass(frozen=True)
class Head:
    """The latest entry: what the next one is chained to and may not predate."""

    hash: str
    at: dt.datetime | None


def lock_head() -> Head:
    """Take the append lock and read the latest entry. Call inside `transaction.atomic()`:
    the lock is held until the transaction ends, so two writers cannot chain to the same
    entry. On PostgreSQL it is a transaction-level advisory lock; SQLite needs none, as its
    writing transactions already exclude each other (IMMEDIATE transactions take the
    database's write lock when they begin, and a deferred one that read an older state
    cannot write)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    latest = AuditEntry.objects.order_by("-id").values_list("hash", "at").first()
    if latest is None:
        return Head(GENESIS, None)
    return Head(latest[0], latest[1])


@dataclass(frozen=True)
class ChainReport:
    verified: int
    last_id: int | None
    last_hash: str
    broken_at: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def _problem(entry: AuditEntry, previous_hash: str, previous_id: int | None, previous_at: Any) -> str:
    """What is wrong with `entry` as the successor of the previous one, or ""."""
    before = f"entry {previous_id}" if previous_id is not None else "none (it is the first)"
    if previous_at is not None and entry.at < previous_at:
        return f"its time {entry.at.isoformat()} is earlier than that of entry {previous_id}, before it"
    if not set(entry.personal_fields or []) <= set(entry.changes or {}):
        return "a field marked personal is missing from its changes"
    expected = entry_hash(entry, previous_hash)
    if entry.hash == expected:
        return ""
    return (
        f"it reads {entry.action} on {entry.object_type} #{entry.object_id} at {entry.at.isoformat()}, "
        f"and its stored hash {entry.hash or '(none)'} is not {expected}, the hash of that content "
        f"chained to the entry before it ({before}): this entry was changed, or the entry before "
        "it was changed, added or removed"
    )


def verify_chain(entries: Iterable[AuditEntry] | None = None) -> ChainReport:
    """Walk the log in id order and stop at the first broken link."""
    if entries is None:
        entries = AuditEntry.objects.order_by("id").iterator(chunk_size=2000)
    previous_hash, previous_id, previous_at = GENESIS, None, None
    count = 0
    for entry in entries:
        problem = _problem(entry, previous_hash, previous_id, previous_at)
        if problem:
            return ChainReport(count, previous_id, previous_hash, broken_at=entry.pk, problem=problem)
        previous_hash, previous_id, previous_at = entry.hash, entry.pk, entry.at
        count += 1
    return ChainReport(count, previous_id, previous_hash)
