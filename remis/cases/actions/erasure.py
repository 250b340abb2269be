"""The legal erasure of a person's personal data, everywhere (remis.audit.erasure)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.audit.actions import record
from remis.audit.erasure import ErasureRequest, run_erasers
from remis.cases.actions.common import require
from remis.cases.models import Case, ErasureReason, Person, Relation
from remis.lib.errors import ValidationFailed


def erase_person(actor: Any, case: Case, person: Person, reason: str) -> dict[str, int]:
    """Erase `person`'s personal data in every app and in the audit log's values. Who did
    it, when and why (a code) stays in the log; it cannot be undone."""
    require(actor, case, Perm.PERSON_ERASE)
    membership = case.members.filter(person=person).first()
    if membership is None:
        raise ValidationFailed(_("This person is not covered by the case."), "person")
    if reason not in ErasureReason.values:
        raise ValidationFailed(_("Choose why the data is erased."), "reason")
    if person.erased_at:
        raise ValidationFailed(_("This person's data has already been erased."), "person")
    cases = list(Case.objects.filter(members__person=person).distinct())
    principal_of = [c.uuid for c in cases if c.members.filter(person=person, relation=Relation.PRINCIPAL)]
    request = ErasureRequest(
        person_id=person.pk,
        person_type=Person._meta.label_lower,
        case_uuids=tuple(c.uuid for c in cases),
        whole_case_uuids=tuple(principal_of),
    )
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        counts = run_erasers(request)
        record(
            actor,
            "person.erase",
            person,
            case_uuid=case.uuid,
            changes={
                "erasure_reason": [None, reason],
                "erased_items": [None, sum(counts.values())],
                "whole_cases": [None, len(principal_of)],
            },
        )
    return counts
