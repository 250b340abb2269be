"""Recording the steps of the journey: consent, counselling, needs, travel, reception."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm, SensitiveGroup
from remis.audit.actions import created, record
from remis.audit.once import WINDOW, already_sent_message
from remis.cases import fields as field_rules
from remis.cases.actions.common import apply_changes, hold_case, require, save_versioned
from remis.cases.actions.validation import Problems
from remis.cases.events import ConsentRecorded, TravelSaved
from remis.cases.lifecycle import RETURNED_STAGES, Stage
from remis.cases.models import (
    AccessReason,
    Case,
    Consent,
    ConsentPurpose,
    CounsellingMode,
    CounsellingSession,
    Escort,
    Fitness,
    NeedKind,
    PreDepartureNeed,
    Reception,
    ReturnTravel,
    Submission,
    SubmissionStatus,
)
from remis.cases.policy import groups_on_case, withheld
from remis.lib import events
from remis.lib.errors import Conflict, Duplicate, ValidationFailed
from remis.lib.money import currency_hint, fraction_problem, payable_currency

TRAVEL_FIELDS = ["departure_date", "arrival_date", "route", "escort", "medical_fitness", "notes"]
RECEPTION_FIELDS = [
    "received_on",
    "airport_pickup",
    "accommodation_nights",
    "nutrition",
    "pocket_money",
    "pocket_money_currency",
    "onward_transport",
    "urgent_medical_care",
    "notes",
]


def _create_or_update(
    actor: Any,
    model: type[Any],
    case: Case,
    values: dict[str, Any],
    fields: list[str],
    expected_version: int | None,
) -> tuple[Any, dict[str, list[Any]]]:
    """The case's one record of `model` (travel, reception): created when the actor read
    none (no version), or updated if nobody saved a newer version since the actor read it.
    Returns it with its audit changes (none when saved untouched).

    Fields in a sensitive group the actor does not hold on the case were never shown to
    them: whatever they sent for those is ignored, the stored value (or the default) stays."""
    row = model.objects.filter(case=case).first()
    for name in withheld(groups_on_case(actor, case), model._meta.label_lower):
        if row is not None:
            values[name] = getattr(row, name)
        else:
            values.pop(name, None)
    if row is None:
        if expected_version is not None:
            raise Conflict()  # it was read, so someone removed it since: never re-create blindly
        blank = model(case=case)
        if all(values.get(name, getattr(blank, name)) == getattr(blank, name) for name in fields):
            # An empty form saved as it came records nothing: no empty record, no history
            # entry. The row returned is not stored, so it has no version to send back.
            blank.version = None
            return blank, {}
        try:
            with transaction.atomic():
                row = model.objects.create(case=case, **values)
        except IntegrityError as exc:  # created by someone else at the same moment
            raise Conflict() from exc
        return row, created(row, fields)
    if expected_version is None:
        # An API client must send the version it read; a page that read no record finds one
        # saved meanwhile, which the case page says as a conflict (case_page._without_version).
        raise ValidationFailed(
            _("This record already exists: send the version you read to change it."), "version"
        )
    return row, apply_changes(row, values, fields, expected_version)


def _refuse_resent_consent(actor: Any, case: Case, purpose: str, statement: tuple[Any, ...]) -> None:
    """The same statement sent again moments later by the same person (a client's retry,
    Back and the button again) is refused: it was recorded twice, read as two statements.
    Compared with the purpose's latest statement only (read under the case's lock): given,
    withdrawn and given again the same day are three."""
    latest = Consent.objects.filter(case=case, purpose=purpose).order_by("-id").first()
    if (
        latest is not None
        and latest.recorded_by_id == actor.pk
        and latest.recorded_at >= timezone.now() - WINDOW
        and (latest.given, latest.given_on, latest.note, sorted(latest.groups or [])) == statement
    ):
        raise Duplicate(already_sent_message(), "given_on")


def record_consent(
    actor: Any,
    case: Case,
    *,
    purpose: str,
    given: bool,
    given_on: dt.date,
    note: str = "",
    groups: Iterable[str] = (),
) -> Consent:
    """Record consent given or withdrawn for a purpose. For sharing with service providers,
    `groups` names the sensitive field groups the returnee agreed to share with them; a
    withdrawal withdraws them all."""
    require(actor, case, Perm.CASE_CONSENT)
    problems = Problems()
    if purpose not in ConsentPurpose.values:
        problems.add("purpose", _("Choose what the consent is for."))
    chosen = sorted(set(groups))
    if any(g not in SensitiveGroup._value2member_map_ for g in chosen):
        problems.add("groups", _("Choose sensitive groups from the list."))
    elif chosen and not (given and purpose == ConsentPurpose.PROVIDERS):
        problems.add(
            "groups",
            _("Sensitive groups are named only when consent to share with service providers is given."),
        )
    problems.check(field_rules.CONSENT, {"given_on": given_on, "note": note.strip()})
    problems.raise_if_any()
    with transaction.atomic():
        # Consents of a case are recorded one at a time, under the case's row lock, which
        # what is shared on their strength (a referral) takes too: they take turns.
        hold_case(case)
        _refuse_resent_consent(actor, case, purpose, (given, given_on, note.strip(), chosen))
        consent = Consent.objects.create(
            case=case,
            purpose=purpose,
            given=given,
            given_on=given_on,
            recorded_by=actor,
            note=note.strip(),
            groups=chosen,
        )
        record(
            actor,
            "case.consent",
            consent,
            case_uuid=case.uuid,
            changes=created(consent, ["purpose", "given", "given_on", "note", "groups"]),
        )
        consent_recorded(actor, case, consent)
    return consent


def consent_recorded(actor: Any, case: Case, consent: Consent) -> None:
    """What a statement changes, wherever it is recorded (the page, the API, an import of
    consents, which stopped nothing): consent to share with partners, or to the processing
    everything rests on, no longer in force ends the partners' access at once; the event
    lets later apps stop their own sharing (referrals to providers). In the caller's
    transaction, under the case's lock."""
    if consent.purpose in (ConsentPurpose.SHARING, ConsentPurpose.DATA_PROCESSING) and (
        not case.has_consent(ConsentPurpose.SHARING) or case.processing_withdrawn()
    ):
        _stop_sharing_with_partners(actor, case)
    events.emit(
        ConsentRecorded(case_id=case.pk, consent_id=consent.pk, purpose=consent.purpose, given=consent.given)
    )


def _revoke(actor: Any, case: Case, accesses: Any, now: Any) -> None:
    """End each of these access rows of the case at `now`, each audited."""
    for access in accesses.filter(revoked_at__isnull=True):
        access.revoked_at = now
        access.save(update_fields=["revoked_at"])
        record(
            actor,
            "case_access.revoke",
            access,
            case_uuid=case.uuid,
            changes={"organisation": [access.organisation_id, None], "revoked_at": [None, now.isoformat()]},
        )


def _move_submissions(
    actor: Any, case: Case, before: SubmissionStatus, after: SubmissionStatus, action: str
) -> list[Submission]:
    """The case's submissions in status `before` moved to `after`, each audited; those moved.
    Each only if still in `before` when written: a partner's answer committed since the read
    stands (a plain save wrote "cancelled" over an acceptance on PostgreSQL)."""
    moved = []
    for submission in case.submissions.filter(status=before):
        if not Submission.objects.filter(pk=submission.pk, status=before).update(status=after):
            continue
        submission.status = after
        record(
            actor, action, submission, case_uuid=case.uuid, changes={"status": [before.value, after.value]}
        )
        moved.append(submission)
    return moved


def cancel_pending_submissions(
    actor: Any, case: Case, now: Any, status: SubmissionStatus = SubmissionStatus.CANCELLED
) -> None:
    """A submission still waiting for the partner's answer is cancelled, and the review
    access it gave the partner ends (the partner is no longer asked, nor shown the case);
    each is audited. For a withdrawal of consent, and a closure (`status` says which)."""
    cancelled = _move_submissions(actor, case, SubmissionStatus.PENDING, status, "submission.cancel")
    for submission in cancelled:
        reviewing = case.access.filter(
            organisation_id=submission.to_organisation_id, reason=AccessReason.SUBMITTED
        )
        _revoke(actor, case, reviewing, now)


def _stop_sharing_with_partners(actor: Any, case: Case) -> None:
    """Consent to share with partners withdrawn: a submission waiting for an answer is
    cancelled, an accepted one ended, and the partners whose access came from a submission
    (reviewing or having accepted it) lose it at once; the host office that registered the
    case keeps its own. Each is audited. (Referrals to service providers stop on their own
    consent's withdrawal.)"""
    now = timezone.now()
    cancel_pending_submissions(actor, case, now)
    _move_submissions(actor, case, SubmissionStatus.ACCEPTED, SubmissionStatus.ENDED, "submission.end")
    _revoke(actor, case, case.access.filter(reason__in=[AccessReason.SUBMITTED, AccessReason.ACCEPTED]), now)


def record_counselling(
    actor: Any,
    case: Case,
    *,
    held_on: dt.date,
    mode: str = CounsellingMode.IN_PERSON,
    topics: str = "",
    notes: str = "",
    interpreter_used: bool = False,
) -> CounsellingSession:
    require(actor, case, Perm.CASE_COUNSELLING)
    problems = Problems()
    if mode not in CounsellingMode.values:
        problems.add("mode", _("Choose how the session was held."))
    problems.check(
        field_rules.COUNSELLING, {"held_on": held_on, "topics": topics.strip(), "notes": notes.strip()}
    )
    problems.raise_if_any()
    values = {
        "case": case,
        "held_on": held_on,
        "mode": mode,
        "counsellor": actor,
        "topics": topics.strip(),
        "notes": notes.strip(),
        "interpreter_used": interpreter_used,
    }
    with transaction.atomic():
        hold_case(case)
        # The same form sent twice (Back, then the button again) recorded two sessions.
        if CounsellingSession.objects.filter(**values).exists():
            raise Duplicate(
                _(
                    "This session is already recorded, as it is: nothing was added. If it was "
                    "another session that day, say what it covered."
                ),
                "topics",
            )
        session = CounsellingSession.objects.create(**values)
        record(
            actor,
            "case.counselling",
            session,
            case_uuid=case.uuid,
            changes=created(session, ["held_on", "mode", "topics", "interpreter_used"]),
        )
    return session


def add_need(actor: Any, case: Case, *, kind: str, description: str = "") -> PreDepartureNeed:
    require(actor, case, Perm.CASE_COUNSELLING)
    problems = Problems()
    if kind not in NeedKind.values:
        problems.add("kind", _("Choose the kind of need."))
    problems.check(field_rules.NEED, {"description": description.strip()})
    problems.raise_if_any()
    with transaction.atomic():
        hold_case(case)
        need = PreDepartureNeed.objects.create(case=case, kind=kind, description=description.strip())
        record(
            actor, "case.add_need", need, case_uuid=case.uuid, changes=created(need, ["kind", "description"])
        )
    return need


def _refuse_moving_a_done_arrival(case: Case, arrival_date: dt.date | None) -> None:
    """Once the person has returned, the arrival is a fact the statistics count by month and
    the follow-ups are dated from: it may be corrected, not cleared, not moved into the
    future, nor after the reception recorded for it. (A case marked returned then had
    "Arrival —", or an arrival planned in three weeks, and its reception could no longer be
    saved.) Read under the case's lock: the stage and the reception are the committed ones."""
    fresh = Case.objects.only("stage", "stage_before_closure").get(pk=case.pk)
    stage = fresh.stage_before_closure if fresh.stage == Stage.CLOSED else fresh.stage
    if stage not in RETURNED_STAGES:
        return
    problems = Problems()
    if arrival_date is None:
        problems.add(
            "arrival_date", _("The returnee has arrived: correct the arrival date rather than clear it.")
        )
    elif arrival_date > timezone.localdate():
        problems.add("arrival_date", _("The returnee has arrived: the arrival date cannot be in the future."))
    else:
        reception = Reception.objects.filter(case_id=case.pk).values_list("received_on", flat=True).first()
        if reception is not None and arrival_date > reception:
            problems.add(
                "arrival_date",
                _("The reception was on %(day)s: the arrival cannot be after it.")
                % {"day": date_format(reception, "SHORT_DATE_FORMAT")},
            )
    problems.raise_if_any()


def save_travel(
    actor: Any,
    case: Case,
    *,
    expected_version: int | None,
    departure_date: dt.date | None,
    arrival_date: dt.date | None,
    route: str = "",
    escort: str = Escort.NONE,
    medical_fitness: str = Fitness.NOT_ASSESSED,
    notes: str = "",
) -> ReturnTravel:
    require(actor, case, Perm.CASE_TRAVEL)
    problems = Problems()
    if departure_date and arrival_date and arrival_date < departure_date:
        problems.add("arrival_date", _("The arrival date is before the departure date."))
    if arrival_date and not departure_date:
        problems.add("departure_date", _("Enter the departure date as well as the arrival date."))
    if escort not in Escort.values:
        problems.add("escort", _("Choose an escort option."))
    if medical_fitness not in Fitness.values:
        problems.add("medical_fitness", _("Choose the medical fitness to travel."))
    values = {
        "departure_date": departure_date,
        "arrival_date": arrival_date,
        "route": route.strip(),
        "escort": escort,
        "medical_fitness": medical_fitness,
        "notes": notes.strip(),
    }
    problems.check(field_rules.TRAVEL, values)
    problems.raise_if_any()
    with transaction.atomic():
        hold_case(case)
        travel, changes = _create_or_update(
            actor, ReturnTravel, case, values, TRAVEL_FIELDS, expected_version
        )
        if not changes:
            return travel
        if "arrival_date" in changes:
            _refuse_moving_a_done_arrival(case, arrival_date)  # rolls the update back
        previous_arrival = case.arrival_date
        if case.arrival_date != arrival_date:
            case.arrival_date = arrival_date
            save_versioned(case, None, ["arrival_date"])
        record(actor, "case.travel", travel, case_uuid=case.uuid, changes=changes)
        events.emit(
            TravelSaved(
                case_id=case.pk,
                departure_date=departure_date,
                arrival_date=arrival_date,
                previous_arrival_date=previous_arrival,
                arrival_changed=previous_arrival != arrival_date,
            )
        )
    return travel


def save_reception(
    actor: Any,
    case: Case,
    *,
    expected_version: int | None,
    received_on: dt.date,
    airport_pickup: bool = False,
    accommodation_nights: int = 0,
    nutrition: bool = False,
    pocket_money: Decimal = Decimal("0"),
    pocket_money_currency: str = "",
    onward_transport: bool = False,
    urgent_medical_care: bool = False,
    notes: str = "",
) -> Reception:
    require(actor, case, Perm.CASE_RECEPTION)
    problems = Problems()
    if case.arrival_date and received_on < case.arrival_date:
        problems.add("received_on", _("The reception date is before the arrival date."))
    if pocket_money < 0:
        problems.add("pocket_money", _("Pocket money cannot be negative."))
    if pocket_money > 0 and not pocket_money_currency:
        problems.add("pocket_money_currency", _("Give the ISO 4217 currency of the pocket money (e.g. EUR)."))
    elif pocket_money_currency and payable_currency(pocket_money_currency) is None:
        problems.add("pocket_money_currency", currency_hint())  # "XYZ" was kept
    elif pocket_money > 0 and (problem := fraction_problem(pocket_money, pocket_money_currency.upper())):
        problems.add("pocket_money", problem)  # "500 000,50 GNF", which the plan refuses
    values: dict[str, Any] = {
        "received_on": received_on,
        "airport_pickup": airport_pickup,
        "accommodation_nights": accommodation_nights,
        "nutrition": nutrition,
        "pocket_money": pocket_money,
        "pocket_money_currency": pocket_money_currency.upper(),
        "onward_transport": onward_transport,
        "urgent_medical_care": urgent_medical_care,
        "notes": notes.strip(),
    }
    problems.check(field_rules.RECEPTION, values)
    problems.raise_if_any()
    with transaction.atomic():
        hold_case(case)
        reception, changes = _create_or_update(
            actor, Reception, case, values, RECEPTION_FIELDS, expected_version
        )
        if not changes:
            return reception
        record(actor, "case.reception", reception, case_uuid=case.uuid, changes=changes)
    return reception
