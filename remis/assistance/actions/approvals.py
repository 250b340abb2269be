"""Submitting a plan version, approving it or returning it with a comment.

Who must approve depends on the version's total in the programme's reporting currency,
against the thresholds in force for the programme and the case's country of origin:

  level 1  total <= manager_above           one approver (plan.approve)
  level 2  total <= two_above               one programme manager (plan.approve + programme.manage)
  level 3  total >  two_above               two distinct approvers, one a programme manager
  level 4  (a level-3 plan above the package) two distinct programme managers

A total above the programme's assistance package raises the level by one. Nobody decides on
a version they drafted or submitted. Each decision records the thresholds and settings
versions, the total and the level it was made under.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from remis.accounts.models import User
from remis.accounts.permissions import Perm
from remis.assistance.actions.common import NotAllowedHere, bump, items_digest, require_on
from remis.assistance.actions.payments import may_record_rates
from remis.assistance.configuration import (
    MissingRate,
    convert,
    missing_rate_message,
    package_for,
    reporting_settings,
    thresholds_on,
)
from remis.assistance.events import PlanDecided, PlanSubmitted
from remis.assistance.models import (
    Approval,
    ApprovalThresholds,
    AssistanceItem,
    Decision,
    Instalment,
    ItemStatus,
    PlanStatus,
    PlanVersion,
)
from remis.audit.actions import record
from remis.cases.queries import case_permissions, permissions_by_user
from remis.lib.errors import TransitionRefused, ValidationFailed
from remis.lib.events import emit
from remis.programmes.models import ProgrammeSettings

MAX_LEVEL = 4


@dataclass
class Requirement:
    """What approving a version needs today, and what it was computed from."""

    total: Decimal  # in the reporting currency, without the amounts of missing rates
    currency: str
    package: Decimal
    level: int
    thresholds: ApprovalThresholds
    settings: ProgrammeSettings
    missing: list[MissingRate] = field(default_factory=list)

    @property
    def above_package(self) -> bool:
        return self.package > 0 and self.total > self.package


def level_for(total: Decimal, thresholds: ApprovalThresholds, package: Decimal) -> int:
    level = 1 if total <= thresholds.manager_above else 2 if total <= thresholds.two_above else 3
    if package > 0 and total > package:
        level += 1
    return min(level, MAX_LEVEL)


def committed_amounts(version_id: int) -> list[tuple[Decimal, str]]:
    """What a version gives the household, as (amount, currency): each item's budget, and
    for a cancelled item what was paid on it (money given stays given). Left out, a plan
    whose paid items were cancelled and replaced was approved at a lower level than the
    money the household got, and the case read more disbursed than approved."""
    items = AssistanceItem.objects.filter(version_id=version_id)
    live = list(items.exclude(status=ItemStatus.CANCELLED).values_list("amount", "currency"))
    cancelled = items.filter(status=ItemStatus.CANCELLED).values("key")
    paid = (
        Instalment.objects.filter(key__in=cancelled)
        .counted()
        .values("currency")
        .annotate(total=Sum("amount"))
        .values_list("total", "currency")
    )
    return live + [(total, currency) for total, currency in paid if total]


def requirement(version: PlanVersion, day: dt.date) -> Requirement:
    case = version.plan.case
    programme_settings = reporting_settings(case, day)
    items = committed_amounts(version.pk)
    total, missing = convert(((a, c, day) for a, c in items), programme_settings.currency)
    thresholds = thresholds_on(case.programme, case.origin_country, day)
    package = package_for(case, programme_settings)
    return Requirement(
        total=total,
        currency=programme_settings.currency,
        package=package,
        level=level_for(total, thresholds, package),
        thresholds=thresholds,
        settings=programme_settings,
        missing=missing,
    )


def satisfied(level: int, approvals: list[Approval]) -> bool:
    people = {a.by_id for a in approvals}
    managers = {a.by_id for a in approvals if a.as_manager}
    if level <= 1:
        return len(people) >= 1
    if level == 2:
        return len(managers) >= 1
    if level == 3:
        return len(people) >= 2 and len(managers) >= 1
    return len(managers) >= 2


def possible_approvers(version: PlanVersion, besides: set[int | None]) -> tuple[set[int], set[int]]:
    """The users who could approve the version (plan.approve on its case) other than
    `besides` (its author: no one approves their own plan), and those among them who approve
    as programme managers."""
    held = permissions_by_user(version.plan.case)
    people = {user for user, perms in held.items() if Perm.PLAN_APPROVE in perms} - besides
    return people, {user for user in people if Perm.PROGRAMME_MANAGE in held[user]}


def can_be_met(level: int, people: set[int], managers: set[int]) -> bool:
    """Whether those people could ever satisfy the level (`satisfied`)."""
    if level <= 1:
        return bool(people)
    if level == 2:
        return bool(managers)
    if level == 3:
        return len(people) >= 2 and bool(managers)
    return len(managers) >= 2


def level_label(level: int) -> str:
    return {
        1: _("one approver"),
        2: _("a programme manager"),
        3: _("two approvers, one of them a programme manager"),
    }.get(level, _("two programme managers"))


def submit_plan(actor: Any, version: PlanVersion, *, expected_version: int | None = None) -> PlanVersion:
    case = require_on(actor, version, Perm.PLAN_EDIT)
    if version.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        raise TransitionRefused(_("Only a draft or returned plan can be submitted."), "status")
    if not version.items.exclude(status=ItemStatus.CANCELLED).exists():
        raise ValidationFailed(_("Add at least one assistance item before submitting the plan."), "items")
    if version.agreed_on is None:
        raise ValidationFailed(
            _("Record the returnee's agreement to the plan before submitting it."), "agreed_on"
        )
    if version.agreed_items and version.agreed_items != items_digest(version):
        # Items added or changed after the returnee agreed (a returned plan given housing of
        # 40 000 000 GNF went to approval on the agreement to the plan before it).
        raise ValidationFailed(
            _(
                "The plan's items changed after the returnee agreed to it on %(day)s: record "
                "their agreement to the plan as it is now before submitting it."
            )
            % {"day": date_format(version.agreed_on, "SHORT_DATE_FORMAT")},
            "agreed_on",
        )
    refuse_unpaid_for(version)
    # A plan no one could approve would wait for good: said now, with who may approve.
    needed = requirement(version, timezone.localdate())
    if needed.missing:
        # Its total, and so who approves it, is not known: it was submitted as "0,00 EUR:
        # one approver", and its approver then met the missing rate.
        raise ValidationFailed(
            missing_rate_message(needed.missing[0], may_record_rates(actor)), "exchange_rate"
        )
    people, managers = possible_approvers(version, {actor.pk, version.drafted_by_id})
    if not can_be_met(needed.level, people, managers):
        names = sorted(u.display_name for u in User.objects.filter(pk__in=people))
        raise NotAllowedHere(
            _(
                "No one could approve this plan: it needs %(who)s besides you and whoever drafted "
                "it, and those who may approve plans on this case are: %(names)s. Ask your "
                "administrator for another approver, or change the plan."
            )
            % {"who": level_label(needed.level), "names": ", ".join(names) or _("no one")},
            "approver",
        )
    with transaction.atomic():
        bump(version, expected_version)
        PlanVersion.objects.filter(pk=version.pk).update(
            status=PlanStatus.SUBMITTED,
            round=version.round + 1,
            submitted_by=actor,
            submitted_at=timezone.now(),
        )
        record(
            actor,
            "assistance.submit",
            version,
            case_uuid=case.uuid,
            changes={"status": [version.status, "submitted"]},
        )
        emit(PlanSubmitted(case_uuid=case.uuid, number=version.number))
    version.refresh_from_db()
    return version


def refuse_unpaid_for(version: PlanVersion) -> None:
    """A version put in force must hold every payment made: no item budgeted below what was
    paid for it, none paid for left out. Checked at submission and again at approval, since
    payments go on under the version in force meanwhile (a budget lowered in a draft, then a
    payment of twice that on the version in force, read "500 000 budget, 1 000 000 paid"
    once approved; an item removed from a draft and then paid vanished with its payment)."""
    from collections import defaultdict

    from django.db.models import Sum

    from remis.lib.money import amount_text

    # What was paid per item key, in one query for the whole plan (the sum `paid_for` reads
    # for one item, asked here of every item at once).
    paid: dict[Any, Decimal] = defaultdict(Decimal)
    currency_of: dict[Any, str] = {}
    for row in (
        Instalment.objects.filter(item__version__plan_id=version.plan_id)
        .counted()
        .values("key", "currency")
        .annotate(total=Sum("amount"))
    ):
        paid[row["key"]] += row["total"] or Decimal(0)
        currency_of[row["key"]] = row["currency"]
    problems: list[tuple[str | None, str]] = []
    kept = set()
    for item in version.items.select_related("kind"):
        kept.add(item.key)
        if item.status != ItemStatus.CANCELLED and paid[item.key] > item.amount:
            problems.append(
                (
                    f"item-{item.pk}",
                    _(
                        "%(paid)s %(currency)s were already paid for “%(item)s”, more than its budget "
                        "in this version: raise the budget to at least what was paid."
                    )
                    % {
                        "paid": amount_text(paid[item.key], item.currency),
                        "currency": item.currency,
                        "item": item.kind.label,
                    },
                )
            )
    for key, total in paid.items():
        if key not in kept and total:
            problems.append(
                (
                    "items",
                    _(
                        "An item already paid for (%(paid)s %(currency)s) is not in this version: "
                        "keep it, cancelled if it ends, so that its payments stay with the plan."
                    )
                    % {"paid": amount_text(total, currency_of[key]), "currency": currency_of[key]},
                )
            )
    if problems:
        raise ValidationFailed(problems[0][1], problems[0][0], errors=problems)


def _decide(
    actor: Any, version: PlanVersion, decision: Decision, comment: str, expected_version: int | None
) -> PlanVersion:
    case = require_on(actor, version, Perm.PLAN_APPROVE)
    if actor.pk in (version.drafted_by_id, version.submitted_by_id):
        raise NotAllowedHere(
            _("You drafted or submitted this plan: another approver must decide."), "approver"
        )
    text = (comment or "").strip()
    if decision == Decision.RETURNED and not text:
        raise ValidationFailed(_("Say what must change before the plan can be approved."), "comment")
    if len(text) > 1000:
        raise ValidationFailed(_("Write at most %(limit)s characters.") % {"limit": 1000}, "comment")
    today = timezone.localdate()
    with transaction.atomic():
        # The lock first: of two approvers deciding at once, the second reads the first's
        # decision (returned, approved, or one approval of two) before deciding.
        bump(version, expected_version)
        version.refresh_from_db()
        if version.status != PlanStatus.SUBMITTED:
            raise TransitionRefused(
                _("This plan is no longer waiting for approval (it is %(status)s).")
                % {"status": version.get_status_display().lower()},
                "status",
            )
        own = Approval.objects.filter(version=version, round=version.round, by=actor).first()
        if own is not None and decision == Decision.APPROVED:
            raise NotAllowedHere(
                _("You already approved this plan: another approver must decide."), "approver"
            )
        needed = requirement(version, today)
        if needed.missing:
            raise ValidationFailed(
                missing_rate_message(needed.missing[0], may_record_rates(actor)), "exchange_rate"
            )
        as_manager = Perm.PROGRAMME_MANAGE in case_permissions(actor, case)
        if decision == Decision.APPROVED:
            people, managers = possible_approvers(version, {version.drafted_by_id, version.submitted_by_id})
            if not can_be_met(needed.level, people, managers):
                # An approval no one could complete: the plan left the approver's list and
                # waited for ever, in no one's.
                raise NotAllowedHere(
                    _(
                        "Not enough people may approve plans on this case for this level: your "
                        "approval would wait for an approver who does not exist. Return the plan "
                        "with a comment, or ask your administrator for another approver."
                    ),
                    "approver",
                )
        fields = {
            "decision": decision,
            "as_manager": as_manager,
            "comment": text,
            "thresholds": needed.thresholds,
            "settings": needed.settings if needed.settings.pk else None,
            "total": needed.total,
            "reporting_currency": needed.currency,
            "level": needed.level,
            "at": timezone.now(),
        }
        if own is not None:
            # An approver who approved returns the plan after all (no second approver came,
            # or they changed their mind): one decision each per round, their last.
            for name, value in fields.items():
                setattr(own, name, value)
            own.save(update_fields=list(fields))
            decided = own
        else:
            decided = Approval.objects.create(version=version, round=version.round, by=actor, **fields)
        if decision == Decision.RETURNED:
            PlanVersion.objects.filter(pk=version.pk).update(status=PlanStatus.RETURNED)
            new_status = PlanStatus.RETURNED
        else:
            earlier = list(
                Approval.objects.filter(
                    version=version, round=version.round, decision=Decision.APPROVED
                ).exclude(pk=decided.pk)
            )
            # A level needing managers in every remaining place refuses another's approval.
            manager_needed = needed.level in (2, 4) or (
                needed.level == 3 and any(not a.as_manager for a in earlier)
            )
            if manager_needed and not as_manager:
                raise NotAllowedHere(
                    _("This plan needs %(who)s: your approval alone is not enough.")
                    % {"who": level_label(needed.level)},
                    "approver",
                )
            approvals = list(
                Approval.objects.filter(version=version, round=version.round, decision=Decision.APPROVED)
            )
            new_status = PlanStatus.APPROVED if satisfied(needed.level, approvals) else PlanStatus.SUBMITTED
            if new_status == PlanStatus.APPROVED:
                refuse_unpaid_for(version)  # payments recorded since it was submitted
                _put_in_force(version)
        record(
            actor,
            f"assistance.{decision.value}",
            decided,
            case_uuid=case.uuid,
            changes={
                "decision": [None, decision.value],
                # Only when it moved: a first of two approvals read "Submitted → Submitted".
                **(
                    {"status": [PlanStatus.SUBMITTED.value, new_status.value]}
                    if new_status != PlanStatus.SUBMITTED
                    else {}
                ),
                "total": [None, str(needed.total)],
                "level": [None, needed.level],
                "thresholds": [None, needed.thresholds.pk],
                **({"comment": [None, text]} if text else {}),
            },
        )
        emit(
            PlanDecided(
                case_uuid=case.uuid, number=version.number, decision=decision.value, status=new_status.value
            )
        )
    version.refresh_from_db()
    return version


def _put_in_force(version: PlanVersion) -> None:
    """The version becomes the plan in force: its new items are approved, those carried from
    the version it replaces keep the status they reached there, which is superseded."""
    plan = version.plan
    previous = plan.in_force
    reached: dict[Any, tuple[str, str]] = {}
    if previous is not None:
        reached = {
            key: (status, why)
            for key, status, why in previous.items.values_list("key", "status", "cancel_reason")
        }
        PlanVersion.objects.filter(pk=previous.pk).update(status=PlanStatus.SUPERSEDED)
    for item in version.items.all():
        status, why = reached.get(item.key, (ItemStatus.APPROVED, ""))
        if item.status == ItemStatus.CANCELLED:
            status, why = item.status, item.cancel_reason
        AssistanceItem.objects.filter(pk=item.pk).update(status=status, cancel_reason=why)
    PlanVersion.objects.filter(pk=version.pk).update(status=PlanStatus.APPROVED, approved_at=timezone.now())
    plan.in_force = version
    plan.save(update_fields=["in_force"])


def approve_plan(
    actor: Any, version: PlanVersion, *, comment: str = "", expected_version: int | None = None
) -> PlanVersion:
    return _decide(actor, version, Decision.APPROVED, comment, expected_version)


def return_plan(
    actor: Any, version: PlanVersion, *, comment: str, expected_version: int | None = None
) -> PlanVersion:
    return _decide(actor, version, Decision.RETURNED, comment, expected_version)


def set_approval_thresholds(
    actor: Any,
    programme: Any,
    *,
    effective_from: dt.date | None,
    manager_above: Any,
    two_above: Any,
    country: str = "",
    note: str = "",
) -> ApprovalThresholds:
    """A new version of a programme's thresholds (in one country of origin, or all), in force
    from `effective_from`. Versions are never edited: decisions name the one they used."""
    from remis.assistance.configuration import clean_amount
    from remis.lib.countries import is_country
    from remis.lib.errors import PermissionDenied
    from remis.programmes.queries import countries_managed

    allowed = countries_managed(actor, programme)
    if allowed is not None and not allowed:
        raise PermissionDenied()
    errors: list[tuple[str | None, str]] = []
    amounts: dict[str, Decimal] = {}
    for name, value in (("manager_above", manager_above), ("two_above", two_above)):
        try:
            amounts[name] = clean_amount(value, name)
        except ValidationFailed as error:
            errors.append((name, error.message))
    if effective_from is None:
        errors.append(("effective_from", _("Enter the day the thresholds apply from.")))
    elif effective_from < programme.starts_on:
        errors.append(("effective_from", _("The thresholds cannot take effect before the programme starts.")))
    code = (country or "").strip().upper()
    if code and not is_country(code):
        errors.append(("country", _("Choose a country from the list.")))
    elif allowed is not None and code not in allowed:
        # A partner's manager sets their own countries' thresholds, never the programme's.
        errors.append(
            ("country", _("Choose one of the countries where your organisation works for this programme."))
        )
    if len(amounts) == 2 and amounts["two_above"] < amounts["manager_above"]:
        errors.append(("two_above", _("The two-approver threshold cannot be below the manager threshold.")))
    if not errors and effective_from is not None:
        from remis.assistance.configuration import thresholds_on

        # The same amounts as those in force that day for this country, set at this level
        # (the country's own, or the programme's for all): a version that changes nothing.
        current = thresholds_on(programme, code, effective_from)
        same_level = current.programme_id == programme.pk and current.country == code
        if same_level and (current.manager_above, current.two_above) == (
            amounts["manager_above"],
            amounts["two_above"],
        ):
            errors.append((None, _("These are already the thresholds in force on that day.")))
    if errors or effective_from is None:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)
    with transaction.atomic():
        row = ApprovalThresholds.objects.create(
            programme=programme,
            country=code,
            effective_from=effective_from,
            manager_above=amounts["manager_above"],
            two_above=amounts["two_above"],
            note=(note or "").strip()[:300],
            created_by=actor,
        )
        record(
            actor,
            "assistance.thresholds",
            row,
            changes={
                "programme": [None, programme.pk],
                "country": [None, code],
                "effective_from": [None, effective_from.isoformat()],
                "manager_above": [None, str(row.manager_above)],
                "two_above": [None, str(row.two_above)],
            },
        )
    return row
