"""What the other apps tell the audit log about their records, so that the audit app never
imports them (it serves every app; apps depend only on earlier ones).

Two registrations, both made from an app's `AppConfig.ready()`:

**Personal fields** (`register_personal_fields`). The log keeps for ever who did what, when,
to which record, which fields changed and the values of non-personal fields (stage, dates
of travel, programme, status…). The values of *personal* fields (names, contact details,
dates of birth, document numbers, and free text such as notes, messages, reasons,
addresses, alternate names) are kept only until the person's data is erased. The hash chain
(`remis.audit.chain`) covers a personal field's name but not its values, so erasing them
leaves `verify_audit` green. `record()` stores, in each entry, which of its changed fields
were personal when it was written (`AuditEntry.personal_fields`): verification and erasure
read that list, never today's registry, so changing a registration later neither breaks
older links nor hides older values from erasure.

Every audited model is registered, with an empty set when none of its fields is personal:
an unregistered model's values are all chained, so a forgotten free-text field could not be
erased without breaking the chain. `test_personal_fields_registry` checks that every object
type a journey writes to the log is registered.

**Case scope** (`register_case_scope`). Entries carry their case's UUID; the audit search
shows an entry with a case UUID only to someone who can see that case, by the rules of the
cases app, which it registers here. Without a registration no case entry is shown to anyone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

_personal: dict[str, frozenset[str]] = {}


def register_personal_fields(object_type: str, fields: Iterable[str]) -> None:
    """Declare which fields of `object_type` ("app_label.modelname", as in
    `AuditEntry.object_type`) hold personal values. Registering a type again with the same
    fields is harmless (a test may build apps twice); with other fields it is a mistake."""
    names = frozenset(fields)
    known = _personal.get(object_type)
    if known is not None and known != names:
        raise ValueError(f"{object_type} is already registered with other personal fields")
    _personal[object_type] = names


def personal_fields(object_type: str) -> frozenset[str] | None:
    """The personal fields of `object_type`, or None when it was never registered."""
    return _personal.get(object_type)


def registered_object_types() -> frozenset[str]:
    return frozenset(_personal)


@dataclass(frozen=True)
class CaseScope:
    """How the audit app asks about cases it cannot import.

    - `visible_uuids(actor)`: the UUIDs of the cases the actor may see, as something a
      `case_uuid__in=` filter accepts (a `values("uuid")` query keeps it in the database).
    - `uuid_for_reference(actor, reference)`: the UUID of the visible case with that
      reference, or None.
    - `held_uuids(organisation_ids)`: the UUIDs of the cases these organisations hold or
      held, in the same form.
    - `held_uuid_for_reference(organisation_ids, reference)`: the UUID of such a case with
      that reference, or None.
    - `references(uuids)`: the references of those cases, by UUID, for entries already
      shown (a reference names a case, not a person): the search says which case each
      entry is about, which an erasure's "Person —" did not.
    """

    visible_uuids: Callable[[Any], Any]
    uuid_for_reference: Callable[[Any, str], uuid.UUID | None]
    held_uuids: Callable[[list[int]], Any]
    held_uuid_for_reference: Callable[[list[int], str], uuid.UUID | None]
    references: Callable[[list[uuid.UUID]], dict[uuid.UUID, str]] = lambda uuids: {}


_case_scope: list[CaseScope] = []


def register_case_scope(scope: CaseScope) -> None:
    """Set the rules by which audit entries of a case are shown (the cases app sets them)."""
    _case_scope[:] = [scope]


def case_scope() -> CaseScope | None:
    return _case_scope[0] if _case_scope else None
