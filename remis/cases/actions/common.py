"""Pieces every case action shares: permission on a case, versioned saves, search text."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.audit.actions import diff, snapshot
from remis.cases.models import LISTING_FIELDS, Case, CaseAccess, IdentityDocument, listing_values
from remis.cases.queries import case_permissions
from remis.lib.errors import Conflict, PermissionDenied
from remis.lib.text import fold, fold_document_number, sound_text

LISTED = {name.removesuffix("_id") for name in LISTING_FIELDS}


def anonymised_refusal() -> str:
    return _(
        "This case was anonymised at the end of its retention period: it can still be read, "
        "but nothing can be added to it or changed."
    )


def require(actor: Any, case: Case, perm: Perm) -> None:
    permissions = case_permissions(actor, case)
    if perm not in permissions:
        # Say why to a reader of the case: their role allows the change, the case's state
        # does not. To anyone else, the same refusal as for any case they do not hold.
        if case.anonymised_at is not None and Perm.CASE_VIEW in permissions:
            raise PermissionDenied(anonymised_refusal())
        raise PermissionDenied()


def hold_case(case: Case) -> None:
    """Lock the case's row for the rest of the transaction, and refuse a write into a case
    anonymised since the actor's permissions were read (`require` ran before the lock).

    Every case action takes it first, before any other row and before the audit log's
    append lock: the order that keeps PostgreSQL free of deadlocks. `no_key`: the row is
    held against other writers of the case, but not against the foreign-key checks of a
    child row inserted meanwhile (checked at commit, after its transaction took the audit
    lock), which a plain FOR UPDATE would wait for: that was a deadlock.
    """
    held = Case.objects.select_for_update(no_key=True).filter(pk=case.pk)
    if held.values_list("anonymised_at", flat=True).first() is not None:
        raise Conflict(anonymised_refusal())


def save_versioned(obj: Model, expected_version: int | None, fields: list[str]) -> None:
    """Write `fields` only if nobody saved a newer version since the actor read it.

    `expected_version` None means the caller is not editing a form (an internal update),
    and the current version is taken as expected.
    """
    current: int = obj.version  # type: ignore[attr-defined]
    expected = current if expected_version is None else expected_version
    values = {name: getattr(obj, name) for name in fields}
    if isinstance(obj, Case):
        values["updated_at"] = timezone.now()
    updated = (
        type(obj)._default_manager.filter(pk=obj.pk, version=expected).update(version=expected + 1, **values)
    )
    if updated == 0:
        raise Conflict(record=obj)
    obj.version = expected + 1  # type: ignore[attr-defined]
    if isinstance(obj, Case) and {f.removesuffix("_id") for f in fields} & LISTED:
        # Keep the list columns copied on the access rows equal to the case's.
        CaseAccess.objects.filter(case=obj).update(**listing_values(obj))


def check_version(obj: Model, expected_version: int | None) -> None:
    """Refuse at once an edit made from an outdated read (`save_versioned` re-checks at
    the write, against a concurrent save)."""
    if expected_version is None:
        return
    stored = type(obj)._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
    if stored != expected_version:
        raise Conflict(record=obj)


def apply_changes(
    obj: Model, values: dict[str, Any], fields: list[str], expected_version: int | None
) -> dict[str, list[Any]]:
    """Set `values` on `obj` and save them versioned, returning the audit changes. When
    nothing differs (a form saved untouched) nothing is written: no new version, no
    audit entry, an empty result. A stale version is a conflict even then: the actor's
    view of the record is out of date."""
    check_version(obj, expected_version)
    before = snapshot(obj, fields)
    for name, value in values.items():
        current = getattr(obj, name, None)
        if isinstance(current, Decimal) and isinstance(value, Decimal) and current == value:
            continue  # 150000 typed again is the stored 150000.00: no "150000.00 → 150000" change
        setattr(obj, name, value)
    changes = diff(before, snapshot(obj, fields))
    if changes:
        save_versioned(obj, expected_version, fields)
    return changes


def search_columns(reference: str, spellings: Iterable[str]) -> dict[str, str]:
    """A case's name search columns from its reference and every member's names and
    alternate spellings: the folded text searched as typed, and the sound keys searched
    for similar spellings."""
    spellings = [s for s in spellings if s.strip()]
    return {
        "search_text": " | ".join([reference.lower(), *(fold(s) for s in spellings)]),
        "sound_text": sound_text(spellings),
    }


def person_spellings(given_name: str, family_name: str, alternate_names: str) -> list[str]:
    """One person's names as searched: the full name, then each alternate spelling."""
    return [f"{given_name} {family_name}", *(line for line in alternate_names.splitlines() if line.strip())]


def refresh_search_text(case: Case) -> None:
    """Rebuild the folded search columns from every member's names and documents."""
    spellings: list[str] = []
    for member in case.members.select_related("person"):
        person = member.person
        spellings.extend(person_spellings(person.given_name, person.family_name, person.alternate_names))
    numbers = IdentityDocument.objects.filter(person__memberships__case=case).values_list("number", flat=True)
    Case.objects.filter(pk=case.pk).update(
        **search_columns(case.reference, spellings),
        document_text=" | ".join(fold_document_number(n) for n in numbers),
    )
