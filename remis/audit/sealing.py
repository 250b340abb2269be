"""Personal values in the audit log, sealed with a key per data subject (crypto-shredding).

The log is append-only and hash-chained, so a person's name can never be deleted from an
entry. Instead `record()` stores each personal value (`registry.register_personal_fields`)
encrypted with the key of its *subject*: the person it is about for person records
(`register_subject_type("cases.person")`), otherwise the case the entry belongs to. Erasing
a person destroys their key (`shred`): every value sealed with it becomes unreadable at
once, in every entry, without touching the log. The chain never covered personal values,
so `verify_audit` stays green.

Keys live in `SubjectKey` rows in the same database: sealing protects the right to
erasure, not confidentiality from the database's administrators (access control does that).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.utils import timezone

from remis.audit.models import SubjectKey
from remis.lib.ids import as_uuid

PREFIX = "sealed:v1:"  # a sealed value in `AuditEntry.changes`
_subject_types: set[str] = set()


class Erased:
    """A value whose subject's key was destroyed."""

    def __repr__(self) -> str:
        return "Erased"


ERASED = Erased()


def register_subject_type(object_type: str) -> None:
    """Entries about records of `object_type` ("cases.person") seal their personal values
    with that record's own key, so that erasing the record's person needs no case."""
    _subject_types.add(object_type)


def subject_for(object_type: str, object_id: str, case_uuid: uuid.UUID | str | None) -> str:
    if object_type in _subject_types or not case_uuid:
        return f"{object_type}:{object_id}"
    return case_subject(case_uuid)


def person_subject(object_type: str, object_id: Any) -> str:
    return f"{object_type}:{object_id}"


def case_subject(case_uuid: uuid.UUID | str) -> str:
    return f"case:{as_uuid(case_uuid)}"  # any spelling of one UUID names one subject


def _key_for(subject: str) -> bytes | None:
    """The subject's live key, created on first use; None once shredded."""
    row, _created = SubjectKey.objects.get_or_create(subject=subject, defaults={"key": Fernet.generate_key()})
    return bytes(row.key) if row.key else None


def keys_for(subjects: Iterable[str]) -> dict[str, bytes | None]:
    """The live keys of many subjects at once (None for a shredded one), creating the
    missing ones with one insert: what sealing a bulk import's entries needs, where a key
    read and created per person cost more than the rest of the import."""
    wanted = set(subjects)
    if not wanted:
        return {}
    found: dict[str, bytes | None] = {}
    names = sorted(wanted)
    for first in range(0, len(names), 500):
        rows = SubjectKey.objects.filter(subject__in=names[first : first + 500]).values_list("subject", "key")
        found.update((subject, bytes(key) if key else None) for subject, key in rows)
    missing = [s for s in names if s not in found]
    if missing:
        # Another writer may create one of these keys meanwhile: its key is kept, and read.
        SubjectKey.objects.bulk_create(
            [SubjectKey(subject=s, key=Fernet.generate_key()) for s in missing],
            batch_size=500,
            ignore_conflicts=True,
        )
        for first in range(0, len(missing), 500):
            rows = SubjectKey.objects.filter(subject__in=missing[first : first + 500]).values_list(
                "subject", "key"
            )
            found.update((subject, bytes(key) if key else None) for subject, key in rows)
    return found


_NOT_GIVEN: Any = object()


def seal_changes(
    changes: dict[str, Any], personal: Iterable[str], subject: str, key: bytes | None = _NOT_GIVEN
) -> dict[str, Any]:
    """`changes` with the values of `personal` fields sealed under the subject's key (read or
    created here unless given, from `keys_for`). None stays None (nothing to hide, and it
    keeps "added"/"removed" readable)."""
    names = set(personal) & set(changes)
    if not names:
        return changes
    if key is _NOT_GIVEN:
        key = _key_for(subject)
    fernet = Fernet(key) if key else None
    sealed: dict[str, Any] = {}
    for name, values in changes.items():
        if name not in names or not isinstance(values, list):
            sealed[name] = values
            continue
        sealed[name] = [_seal(fernet, v) for v in values]
    return sealed


def _seal(fernet: Fernet | None, value: Any) -> Any:
    # A blank holds nothing about anyone. Sealed, it opened after an erasure as "Erased"
    # on both sides, and the history showed "Reason for rejection: Erased → Erased" on an
    # acceptance that never had one.
    if value is None or value == "" or value == []:
        return value
    if fernet is None:  # the subject was already erased: keep nothing
        return PREFIX
    return PREFIX + fernet.encrypt(json.dumps(value).encode()).decode()


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


class Opener:
    """Opens sealed values of many entries with one query for their keys."""

    def __init__(self, subjects: Iterable[str]) -> None:
        wanted = set(subjects)
        self.keys: dict[str, bytes | None] = {
            subject: bytes(key) if key else None
            for subject, key in SubjectKey.objects.filter(subject__in=wanted).values_list("subject", "key")
        }

    def open(self, subject: str, value: Any) -> Any:
        """The value as recorded, or ERASED when its key is gone."""
        if not is_sealed(value):
            return value
        key = self.keys.get(subject)
        token = value[len(PREFIX) :]
        if not key or not token:
            return ERASED
        try:
            return json.loads(Fernet(key).decrypt(token.encode()))
        except InvalidToken:
            return ERASED


def readable_changes(entry: Any) -> dict[str, Any]:
    """One entry's changes with personal values opened (for tests and exports)."""
    subject = subject_for(entry.object_type, entry.object_id, entry.case_uuid)
    opener = Opener([subject])
    return {
        name: [opener.open(subject, v) for v in values] if isinstance(values, list) else values
        for name, values in (entry.changes or {}).items()
    }


def shred(subjects: Iterable[str]) -> int:
    """Destroy the keys of `subjects` (creating tombstones for subjects never sealed, so
    nothing sealed later under them is readable either). Returns how many were live."""
    now = timezone.now()
    subjects = set(subjects)
    live = SubjectKey.objects.filter(subject__in=subjects, shredded_at__isnull=True).update(
        key=None, shredded_at=now
    )
    existing = set(SubjectKey.objects.filter(subject__in=subjects).values_list("subject", flat=True))
    SubjectKey.objects.bulk_create(
        [SubjectKey(subject=s, key=None, shredded_at=now) for s in subjects - existing]
    )
    return live
