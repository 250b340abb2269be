"""Every referral write: send an item to a provider, the provider's answers (or the case
worker's on its behalf), cancelling, and cancelling at once when consent is withdrawn.

Each checks permission, writes in one transaction with its audit entry, and moves the status
by a conditional update on (status, version): of two people answering at once, one wins and
the other gets a Conflict."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.accounts.system import system_actor
from remis.assistance.models import AssistanceItem, ItemStatus, Route
from remis.audit.actions import record
from remis.cases.actions.common import hold_case, require
from remis.cases.lifecycle import Stage
from remis.cases.models import Case, Consent, ConsentPurpose
from remis.cases.policy import field_group, shared_groups
from remis.lib.countries import country_name
from remis.lib.errors import Conflict, PermissionDenied, TransitionRefused, ValidationFailed
from remis.lib.events import emit
from remis.referrals.configuration import overdue_days, sectors_for, shared_fields
from remis.referrals.events import ReferralChanged
from remis.referrals.models import (
    CASE_CLOSED_REASON,
    ITEM_CANCELLED_REASON,
    OPEN,
    REFERRAL_TRANSITIONS,
    WITHDRAWN_REASON,
    Outcome,
    Referral,
    ReferralRules,
    Status,
)
from remis.services.models import Provider, Sector

MESSAGE_MAX = 1000
REASON_MAX = 500
REFERABLE_ITEM_STATUSES = (ItemStatus.APPROVED, ItemStatus.IN_PROGRESS)


def age_group(person: Any, today: dt.date) -> str:
    """A band, never the date of birth: what a provider needs to plan the service."""
    year = person.birth_year
    if not year:
        return ""
    age = today.year - year
    if person.date_of_birth and (today.month, today.day) < (
        person.date_of_birth.month,
        person.date_of_birth.day,
    ):
        age -= 1
    for upper, band in ((17, "0-17"), (24, "18-24"), (34, "25-34"), (49, "35-49"), (59, "50-59")):
        if age <= upper:
            return band
    return "60+"


def _values(case: Case, item: AssistanceItem, message: str, today: dt.date) -> dict[str, tuple[Any, str]]:
    """Each shareable field's value and sensitive group ("" for none)."""
    person = case.principal
    item_group = item.kind.sensitive_group or ""
    return {
        "reference": (case.reference, ""),
        "given_name": (person.given_name, field_group("cases.person.given_name")),
        "sex": (person.sex, field_group("cases.person.sex")),
        "age_group": (age_group(person, today), field_group("cases.person.date_of_birth")),
        "phone": (person.phone, field_group("cases.person.phone")),
        "origin_country": (case.origin_country, ""),
        "item_type": (item.kind.code, item_group),
        "item_description": (item.description, item_group),
        "item_amount": (f"{item.amount} {item.currency}", ""),
        "message": (message, ""),
    }


def build_snapshot(
    case: Case, item: AssistanceItem, message: str, groups: frozenset[str], today: dt.date
) -> tuple[list[dict[str, str]], list[str]]:
    """The configured minimal dataset, leaving out every field of a sensitive group the
    consent does not cover: (shared rows, names of the fields held back)."""
    values = _values(case, item, message, today)
    shared: list[dict[str, str]] = []
    withheld: list[str] = []
    for name in shared_fields():
        if name not in values:
            continue
        value, group = values[name]
        if group and group not in groups:
            withheld.append(name)
            continue
        if value in ("", None):
            continue
        shared.append({"field": name, "value": str(value), "group": group})
    return shared, withheld


def _matching_sector(provider: Provider, type_code: str) -> str | None:
    """The provider's sector matching the type, "" when the type matches any, None: none."""
    wanted = sectors_for(type_code)
    if not wanted:
        return ""
    offered = set(provider.sectors.values_list("code", flat=True))
    for code in wanted:
        if code in offered:
            return code
    return None


def refer_item(actor: Any, item: AssistanceItem, provider: Provider, *, message: str = "") -> Referral:
    """Refer an item of the plan in force (route "referral", approved or in progress) to an
    active provider offering a matching sector, when the returnee's consent to share with
    service providers is given; the provider gets the snapshot built here, nothing more."""
    case = item.version.plan.case
    require(actor, case, Perm.REFERRAL_SEND)
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise ValidationFailed(
            _("Ensure this value has at most %(max)s characters.") % {"max": MESSAGE_MAX}, "message"
        )
    if item.route != Route.REFERRAL:
        raise ValidationFailed(
            _("This item is delivered by the programme itself: change its route to a referral first."), "item"
        )
    if item.version.plan.in_force_id != item.version_id or item.status not in REFERABLE_ITEM_STATUSES:
        raise ValidationFailed(_("Only an approved item of the plan in force can be referred."), "item")
    if not provider.active:
        raise ValidationFailed(_("This provider is inactive: choose an active provider."), "provider")
    if provider.country != case.origin_country:
        # The returnee lives in the country of origin, and consented to share with providers
        # there: a provider elsewhere would receive their name and phone for nothing.
        raise ValidationFailed(
            _("This provider works in %(country)s, not in the returnee's country of origin (%(origin)s).")
            % {"country": country_name(provider.country), "origin": country_name(case.origin_country)},
            "provider",
        )
    sector = _matching_sector(provider, item.kind.code)
    if sector is None:
        raise ValidationFailed(
            _(
                "This provider offers no service of this type: "
                "choose a provider working in a matching sector."
            ),
            "provider",
        )
    with transaction.atomic():
        # The case's row lock first (the order of every case action), which recording a
        # consent takes too: a withdrawal and a referral of the same case take turns. A
        # withdrawal committed first is seen here; a referral committed first is cancelled by
        # the withdrawal's reaction.
        hold_case(case)
        if Case.objects.filter(pk=case.pk, stage=Stage.CLOSED).exists():
            # Read under the case's lock: a closing committed first is seen here, and one
            # committing after cancels this referral (cancel_for_closed_case).
            raise TransitionRefused(
                _("The case is closed: nothing more is referred. Reopen it first."), "item"
            )
        # The item's row lock: two referrals of one item at once never both go out.
        AssistanceItem.objects.select_for_update().filter(pk=item.pk).first()
        # The provider's: a change of its organisation or country waits, and then sees this
        # referral (provider_change_refused).
        Provider.objects.select_for_update().filter(pk=provider.pk).first()
        groups = shared_groups(case, ConsentPurpose.PROVIDERS)
        if groups is None:
            raise ValidationFailed(
                _(
                    "The returnee has not given consent to share their data with service providers "
                    "(or has withdrawn it): record their consent before referring."
                ),
                "consent",
            )
        consent = (
            Consent.objects.filter(case=case, purpose=ConsentPurpose.PROVIDERS)
            .order_by("-given_on", "-id")
            .first()
        )
        assert consent is not None
        today = timezone.localdate()
        shared, withheld = build_snapshot(case, item, message, groups, today)
        if Referral.objects.filter(item_key=item.key, status__in=OPEN).exists():
            raise ValidationFailed(
                _("This item already has an open referral: cancel it before referring again."), "item"
            )
        if Referral.objects.filter(
            item_key=item.key, status=Status.COMPLETED, outcome=Outcome.SUCCESSFUL
        ).exists():  # the service was delivered: another need is another item of the plan
            raise ValidationFailed(
                _(
                    "This item's referral was completed successfully: for another service, add "
                    "an item to the plan."
                ),
                "item",
            )
        referral = Referral.objects.create(
            case=case,
            item=item,
            item_key=item.key,
            item_type=item.kind.code,
            provider=provider,
            sector=sector,
            country=provider.country,
            message=message,
            shared=shared,
            withheld=withheld,
            consent=consent,
            sent_by=actor,
            due_on=today + dt.timedelta(days=overdue_days(case.programme_id, today)),
            last_by=actor,
        )
        record(
            actor,
            "referral.send",
            referral,
            changes={
                "provider": [None, provider.name],
                "item": [None, str(item.key)],
                "shared": [None, [row["field"] for row in shared]],
                "withheld": [None, withheld],
            },
            case_uuid=case.uuid,
        )
        emit(ReferralChanged(referral.uuid, case.pk, provider.pk, Status.SENT, False))
    return referral


def answering_on_behalf(actor: Any, referral: Referral) -> bool:
    """False: the actor answers as the provider's own staff; True: a case worker records
    the answer of a provider without accounts. Anyone else is refused."""
    organisation_id = referral.provider.organisation_id
    if organisation_id is not None:
        if not referral.revoked and any(
            g.organisation_id == organisation_id for g in grants_with(actor, Perm.REFERRAL_ANSWER)
        ):
            return False
        raise PermissionDenied(_("This provider answers its referrals itself, in its inbox."))
    require(actor, referral.case, Perm.REFERRAL_ANSWER)
    return True


def _move(
    actor: Any,
    referral: Referral,
    to: str,
    values: dict[str, Any],
    expected_version: int | None,
    *,
    action: str,
    on_behalf: bool,
    audit_extra: dict[str, list[Any]] | None = None,
) -> Referral:
    current = referral.status
    if to not in REFERRAL_TRANSITIONS.get(current, ()):
        raise TransitionRefused(
            _("This referral is %(status)s: it cannot be %(to)s now.")
            % {"status": referral.get_status_display().lower(), "to": Status(to).label.lower()},
            "status",
        )
    expected = referral.version if expected_version is None else expected_version
    values = {**values, "status": to, "last_by": actor, "last_on_behalf": on_behalf}
    with transaction.atomic():
        updated = Referral.objects.filter(pk=referral.pk, version=expected, status=current).update(
            version=expected + 1, **values
        )
        if not updated:
            raise Conflict()
        for name, value in values.items():
            setattr(referral, name, value)
        referral.version = expected + 1
        changes: dict[str, list[Any]] = {"status": [current, to]}
        if on_behalf:
            changes["on_behalf_of"] = [None, referral.provider.name]
        for name in ("decline_reason", "outcome", "outcome_note", "cancel_reason"):
            if name in values:
                changes[name] = ["", values[name]]
        if "outcome_on" in values:
            changes["outcome_on"] = [None, values["outcome_on"].isoformat()]
        changes.update(audit_extra or {})
        record(actor, action, referral, changes=changes, case_uuid=referral.case.uuid)
        emit(ReferralChanged(referral.uuid, referral.case_id, referral.provider_id, to, on_behalf))
    return referral


def _reason(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(message, field)
    if len(text) > REASON_MAX:
        raise ValidationFailed(
            _("Ensure this value has at most %(max)s characters.") % {"max": REASON_MAX}, field
        )
    return text


def answer_referral(
    actor: Any,
    referral: Referral,
    to: str,
    *,
    expected_version: int | None = None,
    reason: str = "",
    outcome: str = "",
    outcome_on: dt.date | None = None,
    note: str = "",
) -> Referral:
    """The provider's answer (accepted, declined with a reason, in progress, completed or
    failed with an outcome and date), by its own staff or recorded on its behalf."""
    on_behalf = answering_on_behalf(actor, referral)
    if to not in (Status.ACCEPTED, Status.DECLINED, Status.IN_PROGRESS, Status.COMPLETED, Status.FAILED):
        raise ValidationFailed(_("Choose an answer from the list."), "status")
    # A reason or a note given with an answer that keeps none would be dropped unsaid.
    if reason.strip() and to != Status.DECLINED:
        raise ValidationFailed(_("A reason goes with declining: leave it empty for this answer."), "reason")
    if (outcome or outcome_on) and to not in (Status.COMPLETED, Status.FAILED):
        raise ValidationFailed(
            _(
                "An outcome goes with completing or reporting failure: leave the outcome and its "
                "date empty for this answer."
            ),
            "outcome" if outcome else "outcome_on",
        )
    if note.strip() and to not in (Status.COMPLETED, Status.FAILED):
        raise ValidationFailed(
            _(
                "A note goes with the outcome, when completing or reporting failure: leave it empty "
                "for this answer."
            ),
            "note",
        )
    now = timezone.now()
    values: dict[str, Any] = {}
    if to == Status.ACCEPTED:
        values["answered_at"] = now
    elif to == Status.DECLINED:
        values.update(
            answered_at=now,
            closed_at=now,
            decline_reason=_reason(reason, "reason", _("Say why the referral is declined.")),
        )
    elif to == Status.IN_PROGRESS:
        values["started_at"] = now
    else:
        # Every problem at once: the outcome, then its date, were asked for in turn.
        errors: list[tuple[str | None, str]] = []
        if outcome not in Outcome.values:
            errors.append(("outcome", _("Choose the outcome.")))
        elif to == Status.COMPLETED and outcome == Outcome.NOT:
            errors.append(
                ("outcome", _("A completed referral has a successful or partly successful outcome."))
            )
        elif to == Status.FAILED and outcome == Outcome.SUCCESSFUL:
            errors.append(
                ("outcome", _("A failed referral's outcome is not successful or partly successful."))
            )
        if outcome_on is None:
            errors.append(("outcome_on", _("Enter the date of the outcome.")))
        else:
            # Not before the referral's last step: "started 1 October … successful on 23
            # September" was taken.
            steps = [referral.sent_at, referral.answered_at, referral.started_at]
            first = max(timezone.localdate(moment) for moment in steps if moment is not None)
            if outcome_on > timezone.localdate() or outcome_on < first:
                errors.append(
                    (
                        "outcome_on",
                        _("The outcome date must be between %(first)s (the referral's last step) and today.")
                        % {"first": date_format(first, "SHORT_DATE_FORMAT")},
                    )
                )
        if len(note.strip()) > REASON_MAX:
            errors.append(
                ("note", _("Ensure this value has at most %(max)s characters.") % {"max": REASON_MAX})
            )
        if errors:
            raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)
        values.update(closed_at=now, outcome=outcome, outcome_on=outcome_on, outcome_note=note.strip())
    return _move(actor, referral, to, values, expected_version, action=f"referral.{to}", on_behalf=on_behalf)


def cancel_referral(
    actor: Any, referral: Referral, *, reason: str, expected_version: int | None = None
) -> Referral:
    """The case worker cancels an open referral, with a reason."""
    require(actor, referral.case, Perm.REFERRAL_SEND)
    text = _reason(reason, "reason", _("Say why the referral is cancelled."))
    # The provider no longer delivers it, nor keeps the returnee's name and phone: a
    # referral sent by mistake stayed in the wrong provider's inbox with them for good.
    return _move(
        actor,
        referral,
        Status.CANCELLED,
        {"closed_at": timezone.now(), "cancel_reason": text, "revoked": True},
        expected_version,
        action="referral.cancel",
        on_behalf=False,
        audit_extra={"revoked": [False, True]},
    )


def revoke_on_withdrawal(case_id: int, consent_id: int, reason: str = WITHDRAWN_REASON) -> int:
    """Consent to share with providers (or to any processing) withdrawn: cancel every open
    referral of the case at once and take every referral of the case out of the providers'
    view. Made by the system actor (the withdrawal itself is audited with the person who
    recorded it); returns the number of referrals changed."""
    actor = system_actor()
    changed = 0
    with transaction.atomic():
        referrals = list(
            Referral.objects.select_for_update()
            .select_related("case", "provider")
            .filter(case_id=case_id, revoked=False)
        )
        for referral in referrals:
            before = referral.status
            values: dict[str, Any] = {"revoked": True, "version": referral.version + 1}
            if before in OPEN:
                values.update(
                    status=Status.CANCELLED,
                    closed_at=timezone.now(),
                    cancel_reason=reason,  # in the reader's language when shown
                    last_by=actor,
                    last_on_behalf=False,
                )
            Referral.objects.filter(pk=referral.pk).update(**values)
            changes: dict[str, list[Any]] = {"revoked": [False, True], "consent": [None, consent_id]}
            if before in OPEN:
                changes["status"] = [before, Status.CANCELLED]
            record(actor, "referral.revoke", referral, changes=changes, case_uuid=referral.case.uuid)
            if before in OPEN:
                emit(ReferralChanged(referral.uuid, case_id, referral.provider_id, Status.CANCELLED, False))
            changed += 1
    return changed


def cancel_for_cancelled_item(case_id: int, item_key: Any) -> int:
    """The plan item referred was cancelled: its open referrals are cancelled at once, so
    that no provider is still asked to deliver it (it stayed "sent", with Accept offered).
    Made by the system actor, each audited; returns how many were cancelled."""
    return _cancel_open(case_id, ITEM_CANCELLED_REASON, item_key=item_key)


def cancel_for_closed_case(case_id: int) -> int:
    """The case was closed: its open referrals are cancelled, so that no provider keeps a
    live referral (and the returnee's details shared with it) for a case nobody follows."""
    return _cancel_open(case_id, CASE_CLOSED_REASON)


def _cancel_open(case_id: int, reason: str, *, item_key: Any = None) -> int:
    actor = system_actor()
    changed = 0
    with transaction.atomic():
        rows = (
            Referral.objects.select_for_update()
            .select_related("case")
            .filter(case_id=case_id, status__in=OPEN)
        )
        referrals = list(rows if item_key is None else rows.filter(item_key=item_key))
        for referral in referrals:
            before = referral.status
            Referral.objects.filter(pk=referral.pk).update(
                status=Status.CANCELLED,
                closed_at=timezone.now(),
                cancel_reason=reason,  # in the reader's language when shown
                last_by=actor,
                last_on_behalf=False,
                revoked=True,  # nothing left to deliver: the provider keeps nothing of it
                version=referral.version + 1,
            )
            record(
                actor,
                "referral.cancel",
                referral,
                changes={
                    "status": [before, Status.CANCELLED],
                    "cancel_reason": ["", reason],
                    "revoked": [False, True],
                },
                case_uuid=referral.case.uuid,
            )
            emit(ReferralChanged(referral.uuid, case_id, referral.provider_id, Status.CANCELLED, False))
            changed += 1
    return changed


def set_referral_rules(
    actor: Any,
    programme: Any,
    *,
    effective_from: dt.date | None,
    overdue_days: Any,
    seen_latest: int | None = None,
) -> ReferralRules:
    """A new version of a programme's referral rules, in force from `effective_from`: the days
    after which an unanswered referral sent from then on is overdue. Never edited.
    `seen_latest`: the newest version's id the page or client read (0: none); a version
    recorded since is a Conflict (two managers' versions for one day: the later one applied,
    and neither was told)."""
    from remis.programmes.queries import manages_programme
    from remis.programmes.versioned import refuse_if_recorded_since

    if not manages_programme(actor, programme):
        raise PermissionDenied()
    try:
        days = int(str(overdue_days).strip())
    except ValueError:
        days = -1
    if not 1 <= days <= 365:
        raise ValidationFailed(_("Enter a number of days from 1 to 365."), "overdue_days")
    if effective_from is None:
        raise ValidationFailed(_("Enter the day the rules apply from."), "effective_from")
    with transaction.atomic():
        refuse_if_recorded_since(
            ReferralRules,
            programme,
            seen_latest,
            _(
                "Someone else recorded referral rules for this programme after you opened this "
                "page: they are in the list below. Check them, then send yours again to record it."
            ),
        )
        rules = ReferralRules.objects.create(
            programme=programme, effective_from=effective_from, overdue_days=days, created_by=actor
        )
        record(
            actor,
            "referrals.rules",
            rules,
            changes={
                "programme": [None, programme.pk],
                "effective_from": [None, effective_from.isoformat()],
                "overdue_days": [None, days],
            },
        )
    return rules


def provider_change_refused(provider: Provider, changes: Mapping[str, list[Any]]) -> list[tuple[str, str]]:
    """A provider's organisation and country stay as they were once referrals were sent to
    it: the returnees agreed to share with that provider, and a new organisation's staff
    would read every referral it was ever sent (services' guard, registered at start-up)."""
    moved = [field for field in ("organisation", "country") if field in changes]
    if not moved:
        return []
    sent = Referral.objects.filter(provider=provider).count()
    if not sent:
        return []
    message = ngettext(
        "%(count)s referral was sent to this provider: its organisation and country stay as "
        "they were, so that nobody else reads it. Add the new one as another provider.",
        "%(count)s referrals were sent to this provider: its organisation and country stay as "
        "they were, so that nobody else reads them. Add the new one as another provider.",
        sent,
    ) % {"count": sent}
    return [(field, message) for field in moved]


def provider_sector_notice(provider: Provider, changes: Mapping[str, list[Any]]) -> list[str]:
    """Said when sectors are taken off a provider that holds open referrals of an assistance
    type matching only those sectors: they stay with it (it may still deliver them), but
    the map no longer shows it for that service (it was saved with nothing said)."""
    from remis.referrals.configuration import sectors_for

    if "sectors" not in changes:
        return []
    before, after_ids = (set(side or ()) for side in changes["sectors"])  # sector ids
    if not before - after_ids:
        return []
    after = set(Sector.objects.filter(pk__in=after_ids).values_list("code", flat=True))
    open_types = Referral.objects.filter(provider=provider, status__in=OPEN).values_list(
        "item__kind__code", flat=True
    )
    orphaned = [code for code in open_types if (wanted := set(sectors_for(code))) and not wanted & after]
    if not orphaned:
        return []
    return [
        ngettext(
            "%(count)s open referral stays with this provider for a service of a sector it no "
            "longer offers on the map: its case worker may cancel it and refer again.",
            "%(count)s open referrals stay with this provider for services of a sector it no "
            "longer offers on the map: their case workers may cancel them and refer again.",
            len(orphaned),
        )
        % {"count": len(orphaned)}
    ]


def provider_deactivated_notice(provider: Provider, changes: Mapping[str, list[Any]]) -> list[str]:
    """Said when a provider holding open referrals is made inactive: they stay with it (the
    provider may still finish them), and their case workers see it is inactive on the case,
    to cancel and refer again if it will not (services' notice, registered at start-up)."""
    if changes.get("active", [None, None])[1] is not False:
        return []
    still = Referral.objects.filter(provider=provider, status__in=OPEN).count()
    if not still:
        return []
    return [
        ngettext(
            "%(count)s open referral stays with this provider: its case worker sees the provider "
            "is inactive on the case, and may cancel it and refer again.",
            "%(count)s open referrals stay with this provider: their case workers see the "
            "provider is inactive on the case, and may cancel them and refer again.",
            still,
        )
        % {"count": still}
    ]
