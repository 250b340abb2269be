"""Writing a plan: needs, goals, items, the returnee's agreement, new versions, item statuses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.assistance.actions.common import (
    bump,
    check_upload,
    hold_open_case,
    items_digest,
    require_editable,
    require_on,
)
from remis.assistance.configuration import clean_amount, clean_currency, proposal_rules_on
from remis.assistance.events import ItemStatusChanged
from remis.assistance.models import (
    ITEM_TRANSITIONS,
    AssistanceItem,
    AssistanceType,
    Dimension,
    Goal,
    Instalment,
    ItemStatus,
    Level,
    Modality,
    Need,
    Plan,
    PlanStatus,
    PlanVersion,
    ProposalRules,
    Route,
)
from remis.audit.actions import created, diff, record, snapshot
from remis.cases.actions.common import hold_case, require
from remis.cases.lifecycle import Stage
from remis.cases.models import Case
from remis.lib.errors import Conflict, Duplicate, TransitionRefused, ValidationFailed
from remis.lib.events import emit
from remis.lib.fields import Dates
from remis.lib.files import removed_if_not_kept
from remis.lib.money import amount_text, fraction_problem

# A plan is written once the returnee has been assessed, and changed while assistance and
# monitoring go on; never on a closed case.
PLAN_STAGES = (Stage.ASSESSMENT, Stage.PLAN, Stage.ASSISTANCE, Stage.MONITORING)
ITEM_FIELDS = [
    "kind",
    "description",
    "level",
    "modality",
    "route",
    "amount",
    "currency",
    "starts_on",
    "ends_on",
    "status",
    "cancel_reason",
]


def _text(value: Any, field: str, *, required: bool = True, limit: int = 500) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed(_("This field is required."), field)
    if len(text) > limit:
        raise ValidationFailed(_("Write at most %(limit)s characters.") % {"limit": limit}, field)
    return text


def _choice(value: Any, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(_("Choose one of the listed values."), field)
    return str(value)


def plan_stage_reached(case: Case) -> bool:
    """Whether the case is far enough along for a plan (the assessment stage or later)."""
    return case.stage in PLAN_STAGES


def start_plan(actor: Any, case: Case) -> Plan:
    """The case's plan with its first, draft version."""
    require(actor, case, Perm.PLAN_EDIT)
    if case.stage not in PLAN_STAGES:
        raise TransitionRefused(_("A plan is written once the case reaches the assessment stage."), "stage")
    try:
        with transaction.atomic():
            plan = Plan.objects.create(case=case, created_by=actor)
            version = PlanVersion.objects.create(plan=plan, number=1, drafted_by=actor)
            plan.latest = version
            plan.save(update_fields=["latest"])
            record(
                actor, "assistance.plan_start", version, case_uuid=case.uuid, changes={"number": [None, 1]}
            )
    except IntegrityError:
        raise Duplicate(_("This case already has a plan."), "plan") from None
    return plan


def add_need(
    actor: Any, version: PlanVersion, *, dimension: str, description: str, expected_version: int | None = None
) -> Need:
    case = require_on(actor, version, Perm.PLAN_EDIT)
    require_editable(version)
    need = Need(
        version=version,
        dimension=_choice(dimension, Dimension, "dimension"),
        description=_text(description, "description"),
        position=version.needs.count(),
    )
    with transaction.atomic():
        bump(version, expected_version)
        need.save()
        record(
            actor,
            "assistance.need_add",
            need,
            case_uuid=case.uuid,
            changes=created(need, ["dimension", "description"]),
        )
    return need


def add_goal(actor: Any, need: Need, *, description: str, expected_version: int | None = None) -> Goal:
    version = need.version
    case = require_on(actor, version, Perm.PLAN_EDIT)
    require_editable(version)
    goal = Goal(need=need, description=_text(description, "description"), position=need.goals.count())
    with transaction.atomic():
        bump(version, expected_version)
        goal.save()
        record(
            actor,
            "assistance.goal_add",
            goal,
            case_uuid=case.uuid,
            changes=created(goal, ["need", "description"]),
        )
    return goal


def change_need(
    actor: Any,
    need: Need,
    *,
    dimension: str,
    description: str,
    expected_version: int | None = None,
) -> Need:
    """Reword a need or move it to another dimension, in a version still being written."""
    version = need.version
    case = require_on(actor, version, Perm.PLAN_EDIT)
    require_editable(version)
    wanted = {
        "dimension": _choice(dimension, Dimension, "dimension"),
        "description": _text(description, "description"),
    }
    with transaction.atomic():
        changes = diff(snapshot(need, list(wanted)), wanted)
        if not changes:
            return need  # saved untouched: no version moves, nothing is audited
        bump(version, expected_version)
        need.dimension, need.description = wanted["dimension"], wanted["description"]
        need.save(update_fields=list(wanted))
        record(actor, "assistance.need_change", need, case_uuid=case.uuid, changes=changes)
    return need


def change_goal(actor: Any, goal: Goal, *, description: str, expected_version: int | None = None) -> Goal:
    """Reword a goal, in a version still being written."""
    version = goal.need.version
    case = require_on(actor, version, Perm.PLAN_EDIT)
    require_editable(version)
    wanted = {"description": _text(description, "description")}
    with transaction.atomic():
        changes = diff(snapshot(goal, list(wanted)), wanted)
        if not changes:
            return goal
        bump(version, expected_version)
        goal.description = wanted["description"]
        goal.save(update_fields=["description"])
        record(actor, "assistance.goal_change", goal, case_uuid=case.uuid, changes=changes)
    return goal


def remove_goal(actor: Any, goal: Goal, *, expected_version: int | None = None) -> None:
    """Remove a goal entered by mistake. Its items go first (each removal is its own
    decision, and an item may have been paid): a goal with items is refused."""
    version = goal.need.version
    case = require_on(actor, version, Perm.PLAN_EDIT)
    require_editable(version)
    if goal.items.exists():
        raise TransitionRefused(_("This goal still has assistance items: remove them first."), "goal")
    with transaction.atomic():
        bump(version, expected_version)
        record(
            actor,
            "assistance.goal_remove",
            goal,
            case_uuid=case.uuid,
            # The need too: the history masks a psychosocial need's goals once they are gone.
            changes={"need": [goal.need_id, None], "description": [goal.description, None]},
        )
        goal.delete()


def remove_need(actor: Any, need: Need, *, expected_version: int | None = None) -> None:
    """Remove a need entered by mistake, with its goals; refused while any goal has items."""
    version = need.version
    case = require_on(actor, version, Perm.PLAN_EDIT)
    require_editable(version)
    if AssistanceItem.objects.filter(goal__need=need).exists():
        raise TransitionRefused(_("This need still has assistance items: remove them first."), "need")
    with transaction.atomic():
        bump(version, expected_version)
        record(
            actor,
            "assistance.need_remove",
            need,
            case_uuid=case.uuid,
            changes={"dimension": [need.dimension, None], "description": [need.description, None]},
        )
        need.delete()


@dataclass
class ItemData:
    """An item as entered: every value is checked by `clean_item`, naming the field at fault."""

    kind: Any
    modality: Any
    amount: Any
    currency: Any
    level: Any = Level.INDIVIDUAL
    route: Any = Route.DIRECT
    description: Any = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


# Planned days: an imported plan of years ago keeps its own; none decades ahead.
PLANNED_DAYS = Dates(years_before=30, years_after=5)


def _refuse_before_registration(case: Any, values: dict[str, Any]) -> None:
    """A plan's days come after its case was registered: a start in 1999 on a case of 2026
    was a typing slip (an import of old records checks its own order of dates)."""
    registered = timezone.localdate(case.registered_at)
    message = _("The date cannot be before the case was registered (%(day)s).") % {
        "day": date_format(registered, "SHORT_DATE_FORMAT")
    }
    errors: list[tuple[str | None, str]] = [
        (name, message)
        for name in ("starts_on", "ends_on")
        if isinstance(values.get(name), dt.date) and values[name] < registered
    ]
    if errors:
        raise ValidationFailed(message, errors[0][0], errors=errors)


def clean_item(data: ItemData) -> dict[str, Any]:
    errors: list[tuple[str | None, str]] = []
    values: dict[str, Any] = {}
    kind = data.kind
    if not isinstance(kind, AssistanceType):
        kind = AssistanceType.objects.filter(code=str(kind or ""), active=True).first()
    if kind is None:
        errors.append(("kind", _("Choose one of the listed values.")))
    values["kind"] = kind
    checks = (
        ("modality", lambda: _choice(data.modality, Modality, "modality")),
        ("level", lambda: _choice(data.level, Level, "level")),
        ("route", lambda: _choice(data.route, Route, "route")),
        ("amount", lambda: clean_amount(data.amount, "amount", positive=True)),
        ("currency", lambda: clean_currency(data.currency, "currency")),
        ("description", lambda: _text(data.description, "description", required=False)),
    )
    for name, check in checks:
        try:
            values[name] = check()
        except ValidationFailed as error:
            errors.append((name, error.message))
    if "amount" in values and "currency" in values:
        fraction = fraction_problem(values["amount"], values["currency"])
        if fraction:
            errors.append(("amount", fraction))
    today = timezone.localdate()
    for name in ("starts_on", "ends_on"):
        # A slip of the keyboard ("1999", "2099") was planned, submitted and approved.
        day = getattr(data, name)
        problem = PLANNED_DAYS.problem(day, today) if isinstance(day, dt.date) else None
        if problem:
            errors.append((name, problem))
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors.append(("ends_on", _("The planned end cannot be before the planned start.")))
    values["starts_on"], values["ends_on"] = data.starts_on, data.ends_on
    if errors:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)
    return values


def add_item(
    actor: Any, goal: Goal, data: ItemData, *, expected_version: int | None = None
) -> AssistanceItem:
    version = goal.need.version
    case = require_on(actor, version, Perm.PLAN_EDIT)
    require_editable(version)
    values = clean_item(data)
    _refuse_before_registration(case, values)
    item = AssistanceItem(version=version, goal=goal, status=ItemStatus.PLANNED, **values)
    with transaction.atomic():
        bump(version, expected_version)
        item.save()
        record(actor, "assistance.item_add", item, case_uuid=case.uuid, changes=created(item, ITEM_FIELDS))
    return item


def paid_for(item: AssistanceItem) -> Decimal:
    """What the payments that stand for the item add up to, across the plan's versions (its
    key); the one sum every check of a payment or a budget against the paid amount reads."""
    from django.db.models import Sum

    return Instalment.objects.filter(key=item.key).counted().aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal("0")


def update_item(
    actor: Any, item: AssistanceItem, data: ItemData, *, expected_version: int | None
) -> AssistanceItem:
    version = item.version
    case = require_on(actor, version, Perm.PLAN_EDIT)
    require_editable(version)
    values = clean_item(data)
    _refuse_before_registration(case, values)
    paid = paid_for(item)
    if paid and values["currency"] != item.currency:
        raise ValidationFailed(
            _("Payments were made in %(currency)s: the currency cannot change.")
            % {"currency": item.currency},
            "currency",
        )
    if values["amount"] < paid:
        raise ValidationFailed(
            _("%(paid)s %(currency)s were already paid for this item: the budget cannot be lower.")
            % {"paid": amount_text(paid, item.currency), "currency": item.currency},
            "amount",
        )
    before = snapshot(item, ITEM_FIELDS)
    stored = {name: getattr(item, name) for name in values}
    for name, value in values.items():
        setattr(item, name, value)
    changes = diff(before, snapshot(item, ITEM_FIELDS))
    if not changes:
        return item  # saved untouched: no version moves, nothing is audited
    try:
        with transaction.atomic():
            bump(version, expected_version)
            item.save()
            record(actor, "assistance.item_change", item, case_uuid=case.uuid, changes=changes)
    except BaseException:
        # Refused (someone saved the plan meanwhile): the item shows what is stored, not
        # the values refused, which the page would otherwise show as if saved.
        for name, value in stored.items():
            setattr(item, name, value)
        raise
    return item


def remove_item(actor: Any, item: AssistanceItem, *, expected_version: int | None) -> None:
    version = item.version
    case = require_on(actor, version, Perm.PLAN_EDIT)
    require_editable(version)
    if Instalment.objects.filter(key=item.key).exists():
        raise TransitionRefused(
            _("Payments were made for this item: cancel it instead of removing it."), "item"
        )
    with transaction.atomic():
        bump(version, expected_version)
        record(
            actor,
            "assistance.item_remove",
            item,
            case_uuid=case.uuid,
            changes={"amount": [str(item.amount), None]},
        )
        item.delete()


def record_agreement(
    actor: Any,
    version: PlanVersion,
    *,
    agreed_on: dt.date | None,
    upload: UploadedFile | None,
    expected_version: int | None = None,
) -> PlanVersion:
    """The returnee agreed to this version on `agreed_on`; `upload` is the signed form."""
    case = require_on(actor, version, Perm.PLAN_EDIT)
    require_editable(version)
    if agreed_on is None:
        raise ValidationFailed(_("Enter the day the returnee agreed to the plan."), "agreed_on")
    if agreed_on > timezone.localdate():
        raise ValidationFailed(_("The agreement cannot be dated in the future."), "agreed_on")
    registered = timezone.localtime(case.registered_at).date()
    if agreed_on < registered:  # 1999 was taken for a plan of a case registered this year
        raise ValidationFailed(
            _("The agreement cannot be dated before the case was registered, on %(day)s.")
            % {"day": date_format(registered, "SHORT_DATE_FORMAT")},
            "agreed_on",
        )
    if upload is None:
        raise ValidationFailed(_("Upload the signed agreement form."), "agreement_file")
    content_type = check_upload(upload, "agreement_file")
    before = snapshot(version, ["agreed_on", "agreement_type"])
    version.agreed_on = agreed_on
    version.agreement_type = content_type
    version.agreement_file.save("agreement", upload, save=False)
    with removed_if_not_kept(version.agreement_file), transaction.atomic():
        bump(version, expected_version)
        version.agreed_items = items_digest(version)  # read after the version's lock
        PlanVersion.objects.filter(pk=version.pk).update(
            agreed_on=agreed_on,
            agreement_type=content_type,
            agreement_file=version.agreement_file.name,
            agreed_items=version.agreed_items,
        )
        record(
            actor,
            "assistance.agreement",
            version,
            case_uuid=case.uuid,
            changes=diff(before, snapshot(version, ["agreed_on", "agreement_type"])),
        )
    return version


def open_new_version(actor: Any, plan: Plan, *, reason: str) -> PlanVersion:
    """Change an approved plan: a new draft version holding a copy of its needs, goals and
    items (with their keys and statuses); the approved version stays in force until the new
    one is approved, and stays readable after."""
    require(actor, plan.case, Perm.PLAN_EDIT)
    text = _text(reason, "reason")
    with transaction.atomic():
        hold_case(plan.case)  # the case's row first, as every case action
        plan.refresh_from_db(fields=["latest", "in_force"])
        latest = PlanVersion.objects.select_for_update().get(plan=plan, pk=plan.latest_id or 0)
        # The plan was read before the lock: whoever held it first may have opened a version
        # meanwhile, and going on would open a second version of the same number (an
        # IntegrityError on PostgreSQL). Read it again under the lock.
        plan.refresh_from_db(fields=["latest", "in_force"])
        if plan.latest_id != latest.pk:
            raise Conflict()
        if latest.status != PlanStatus.APPROVED:
            raise TransitionRefused(
                _("Version %(number)s is still open: change it instead of opening a new one.")
                % {"number": latest.number},
                "version",
            )
        bump(latest, None)  # two people opening a version at once: one wins
        version = PlanVersion.objects.create(
            plan=plan, number=latest.number + 1, drafted_by=actor, reason=text
        )
        for need in latest.needs.prefetch_related("goals__items"):
            copy = Need.objects.create(
                version=version,
                dimension=need.dimension,
                description=need.description,
                position=need.position,
            )
            for goal in need.goals.all():
                goal_copy = Goal.objects.create(
                    need=copy, description=goal.description, position=goal.position
                )
                AssistanceItem.objects.bulk_create(
                    AssistanceItem(
                        version=version,
                        goal=goal_copy,
                        **{name: getattr(item, name) for name in [*ITEM_FIELDS, "key"]},
                    )
                    for item in goal.items.all()
                )
        plan.latest = version
        plan.save(update_fields=["latest"])
        record(
            actor,
            "assistance.version_open",
            version,
            case_uuid=plan.case.uuid,
            changes={"number": [None, version.number], "reason": [None, text]},
        )
    return version


def change_item_status(
    actor: Any,
    item: AssistanceItem,
    status: str,
    *,
    reason: str = "",
    seen_status: str | None = None,
    seen_paid: Decimal | None = None,
) -> AssistanceItem:
    """Move an item of the plan in force: in progress, delivered, or cancelled with a reason.
    `seen_status` and `seen_paid`: the item as the person deciding saw it; a status or a
    payment recorded since is a Conflict (cancelling an item paid a minute ago in another
    tab, unseen, was accepted)."""
    version = item.version
    case = require_on(actor, version, Perm.PLAN_EDIT)
    if version.status != PlanStatus.APPROVED:
        raise TransitionRefused(_("Nothing is delivered before the plan is approved."), "status")
    status = _choice(status, ItemStatus, "status")
    if status not in ITEM_TRANSITIONS[item.status]:
        raise TransitionRefused(
            _("An item that is “%(current)s” cannot become “%(target)s”.")
            % {"current": item.get_status_display(), "target": ItemStatus(status).label},
            "status",
        )
    text = _text(reason, "cancel_reason", required=status == ItemStatus.CANCELLED)
    with transaction.atomic():
        hold_open_case(case)  # payments take it too: none is recorded between the check and the change
        changed_since = (seen_status is not None and seen_status != item.status) or (
            seen_paid is not None and paid_for(item) != seen_paid
        )
        updated = (
            0
            if changed_since
            else AssistanceItem.objects.filter(pk=item.pk, status=item.status).update(
                status=status, cancel_reason=text
            )
        )
        if not updated:
            raise Conflict(
                _(
                    "This item changed after you opened it (its status or a payment): look at it "
                    "again, then change its status."
                )
            )
        # The version being drafted holds a copy of the item: it follows, so that its total,
        # the approval it needs and the amount recorded at its approval leave out an item
        # cancelled meanwhile (a cancelled 400 EUR kept a draft over the package, needing
        # two approvers, and was recorded in the approved total).
        AssistanceItem.objects.filter(
            version__plan_id=version.plan_id,
            version__number__gt=version.number,
            version__status__in=[PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.RETURNED],
            key=item.key,
        ).exclude(status=ItemStatus.CANCELLED).update(status=status, cancel_reason=text)
        record(
            actor,
            "assistance.item_status",
            item,
            case_uuid=case.uuid,
            changes={"status": [item.status, status], **({"cancel_reason": [None, text]} if text else {})},
        )
        emit(ItemStatusChanged(case_id=case.pk, item_key=item.key, status=status))
    item.status, item.cancel_reason = status, text
    return item


def set_proposal_rules(
    actor: Any,
    programme: Any,
    *,
    effective_from: dt.date | None,
    always: list[str],
    by_vulnerability: dict[str, list[str]],
) -> ProposalRules:
    """A new version of which types a programme's plans propose first, from `effective_from`:
    type codes for every case (`always`) and per confirmed vulnerability code."""
    from remis.lib.errors import PermissionDenied
    from remis.programmes.models import Vulnerability
    from remis.programmes.queries import manages_programme

    if not manages_programme(actor, programme):
        raise PermissionDenied()
    types = set(AssistanceType.objects.values_list("code", flat=True))
    vulnerabilities = set(Vulnerability.objects.values_list("code", flat=True))
    errors: list[tuple[str | None, str]] = []
    if effective_from is None:
        errors.append(("effective_from", _("Enter the day the rules apply from.")))
    if any(code not in types for code in always):
        errors.append(("always", _("Choose assistance types from the list.")))
    for vulnerability, codes in by_vulnerability.items():
        if vulnerability not in vulnerabilities:
            errors.append((f"by_vulnerability.{vulnerability}", _("Choose vulnerabilities from the list.")))
        elif any(code not in types for code in codes):
            errors.append((f"by_vulnerability.{vulnerability}", _("Choose assistance types from the list.")))
    if errors or effective_from is None:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)
    always = list(dict.fromkeys(always))
    by_vulnerability = {k: list(dict.fromkeys(v)) for k, v in by_vulnerability.items() if v}
    in_force = proposal_rules_on(programme, effective_from)
    if (
        in_force.always == always
        and {k: v for k, v in in_force.by_vulnerability.items() if v} == by_vulnerability
    ):
        return in_force  # the rules in force that day already: a new version would change nothing
    with transaction.atomic():
        rules = ProposalRules.objects.create(
            programme=programme,
            effective_from=effective_from,
            always=always,
            by_vulnerability=by_vulnerability,
            created_by=actor,
        )
        record(
            actor,
            "assistance.proposal_rules",
            rules,
            changes={
                "programme": [None, programme.pk],
                "effective_from": [None, effective_from.isoformat()],
                "always": [None, rules.always],
                "by_vulnerability": [None, rules.by_vulnerability],
            },
        )
    return rules
