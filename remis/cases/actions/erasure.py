"""The legal erasure of a person's personal data, everywhere (remis.audit.erasure), in two
steps taken by two people holding the erasure right: `request_erasure`, then
`approve_erasure` (which erases) or `refuse_erasure` (by another holder; the requester's
own refusal is a withdrawal)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.audit.actions import record
from remis.audit.erasure import ErasureRequest, run_erasers
from remis.cases.actions.common import refresh_search_text, require, save_versioned
from remis.cases.models import Case, CaseMember, Erasure, ErasureReason, ErasureStatus, Person, Relation
from remis.lib.errors import TransitionRefused, ValidationFailed

NOTE_MAX = 500


def request_erasure(actor: Any, case: Case, person: Person, reason: str) -> Erasure:
    """Ask for `person`'s personal data to be erased; nothing is erased until another
    holder of the erasure right approves."""
    require(actor, case, Perm.PERSON_ERASE)
    if not case.members.filter(person=person).exists():
        raise ValidationFailed(_("This person is not covered by the case."), "person")
    if reason not in ErasureReason.values:
        raise ValidationFailed(_("Choose why the data is erased."), "reason")
    if person.erased_at:
        raise ValidationFailed(_("This person's data has already been erased."), "person")
    try:
        with transaction.atomic():
            erasure = Erasure.objects.create(case=case, person=person, reason=reason, requested_by=actor)
            record(
                actor,
                "person.erase_request",
                erasure,
                case_uuid=case.uuid,
                changes={"person": [None, person.pk], "erasure_reason": [None, reason]},
            )
    except IntegrityError:  # the constraint: one pending request per person
        raise TransitionRefused(
            _("An erasure of this person's data is already waiting for approval."), "person"
        ) from None
    return erasure


def _decide(actor: Any, erasure: Erasure, status: str, note: str) -> bool:
    """Move a pending request to `status`, once: of two decisions at once, one does it."""
    now = timezone.now()
    done = Erasure.objects.filter(pk=erasure.pk, status=ErasureStatus.PENDING).update(
        status=status, decided_by=actor, decided_at=now, note=note
    )
    if done:
        erasure.status, erasure.decided_by, erasure.decided_at, erasure.note = status, actor, now, note
    return bool(done)


def approve_erasure(actor: Any, erasure: Erasure) -> dict[str, int]:
    """A second holder of the erasure right approves: the person's data is erased now
    (everywhere, the audit log's values included); it cannot be undone."""
    case = erasure.case
    require(actor, case, Perm.PERSON_ERASE)
    if erasure.requested_by_id == actor.pk:
        raise TransitionRefused(
            _("Another person holding the erasure right must approve an erasure you asked for."), "erasure"
        )
    with transaction.atomic():
        # The person's cases, then the person, then the audit log: the order of every case
        # action (a save of the person's details takes its case, the person, then records).
        # Deciding and recording first deadlocked with such a save on PostgreSQL.
        cases = Case.objects.filter(pk__in=CaseMember.objects.filter(person=erasure.person_id).values("case"))
        list(cases.select_for_update(no_key=True).order_by("id").values_list("id", flat=True))
        Person.objects.select_for_update().filter(pk=erasure.person_id).first()
        if not _decide(actor, erasure, ErasureStatus.DONE, ""):
            raise TransitionRefused(_("This erasure request has already been decided."), "erasure")
        record(
            actor,
            "person.erase_approve",
            erasure,
            case_uuid=case.uuid,
            changes={"erasure_status": [ErasureStatus.PENDING.value, ErasureStatus.DONE.value]},
        )
        counts = _erase(actor, case, erasure.person, erasure.reason)
        if erasure.reason == ErasureReason.RECORDED_IN_ERROR:
            _leave_household(actor, case, erasure.person)
        return counts


def _leave_household(actor: Any, case: Case, person: Person) -> None:
    """A household member recorded in error (added twice, or to the wrong case), once
    erased, leaves the household too: the blank row stayed, counted in the household's size
    and in the statistics' individuals, with no way to take it out. Through the erasure, so
    that two people agree to it and nothing of the person stays. Never the principal."""
    member = CaseMember.objects.filter(case=case, person=person).exclude(relation=Relation.PRINCIPAL).first()
    if member is None:
        return
    case.refresh_from_db(fields=["version", "household_size"])  # read under the case's lock, taken above
    before = case.household_size
    member.delete()
    case.household_size = case.members.count()
    save_versioned(case, None, ["household_size"])
    refresh_search_text(case)
    record(
        actor,
        "case.remove_member",
        case,
        case_uuid=case.uuid,
        changes={"relation": [member.relation, None], "household_size": [before, case.household_size]},
    )


def refuse_erasure(actor: Any, erasure: Erasure, note: str = "") -> None:
    """Another holder refuses the request, or the requester withdraws it."""
    require(actor, erasure.case, Perm.PERSON_ERASE)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(_("Write at most %(limit)s characters.") % {"limit": NOTE_MAX}, "note")
    status = ErasureStatus.WITHDRAWN if erasure.requested_by_id == actor.pk else ErasureStatus.REFUSED
    if status == ErasureStatus.REFUSED and not note:
        # The requester (and the returnee who asked) are owed the reason; withdrawing one's
        # own request needs none.
        raise ValidationFailed(_("Say why the erasure is refused."), "note")
    with transaction.atomic():
        if not _decide(actor, erasure, status, note):
            raise TransitionRefused(_("This erasure request has already been decided."), "erasure")
        record(
            actor,
            "person.erase_refuse" if status == ErasureStatus.REFUSED else "person.erase_withdraw",
            erasure,
            case_uuid=erasure.case.uuid,
            changes={
                "erasure_status": [ErasureStatus.PENDING.value, status.value],
                **({"note": [None, note]} if note else {}),  # no empty "Note: — → —" row
            },
        )


def _erase(actor: Any, case: Case, person: Person, reason: str) -> dict[str, int]:
    """Erase `person`'s personal data in every app and in the audit log's values. Who did
    it, when and why (a code) stays in the log; it cannot be undone."""
    person.refresh_from_db(fields=["erased_at"])
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
