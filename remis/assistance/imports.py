"""Importing reintegration assistance as it was given elsewhere: plan items, and the payments
made for them (`remis/interop/importing.py` runs both; registered in `AssistanceConfig.ready`).

Items (`plan_items`): one row an item of a case's plan, named by the organisation's external
IDs of the case and of the item (`ItemReference`). Its values are checked by the plan form's
own `clean_item`, its type's sensitive group against the importer's rights. A case with no
plan gets one, approved as it was on the day given (`approved_on`), marked `imported`: its
decisions were taken elsewhere, so none is recorded here and no event is emitted. Items sit
under one need and goal per dimension, written "—" (a dash: stored data must not depend on
the importer's language). An item found again is updated when its row differs, unchanged
otherwise. A case whose plan was made in REMIS (or moved on since its import) is refused:
its items change on the plan page, through its approvals.

Payments (`payments`): one row an instalment of an imported item, a statement like a
consent: a row equal to one recorded (day, amount) is unchanged, another is added, never
above the item's budget, in the item's currency, not before its plan's approval.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from remis.assistance.actions.plans import ItemData, clean_item, paid_for
from remis.assistance.configuration import clean_amount, clean_currency
from remis.assistance.models import (
    AssistanceItem,
    AssistanceType,
    Goal,
    Instalment,
    ItemReference,
    ItemStatus,
    Level,
    Modality,
    Need,
    Plan,
    PlanStatus,
    PlanVersion,
    Route,
)
from remis.audit.actions import diff, record_many
from remis.cases.actions.validation import Problems
from remis.cases.imports import day_value, may_import
from remis.cases.imports_journey import CASE_KEY, CaseRecords, check_own_key
from remis.cases.models import Case, CaseAccess
from remis.cases.policy import groups_in, shows
from remis.interop.importing import Checked, Column, Entity, Outcome, Row
from remis.lib.errors import ValidationFailed
from remis.lib.money import amount_in_file, file_amount_problem

IMPORTED_STATUSES = (ItemStatus.APPROVED, ItemStatus.IN_PROGRESS, ItemStatus.DELIVERED, ItemStatus.CANCELLED)
ITEM_FIELDS = (
    "kind_id", "description", "level", "modality", "route", "amount", "currency", "starts_on", "ends_on",
    "status", "cancel_reason",
)  # fmt: skip
DASH = "—"


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


class ItemImporter(CaseRecords):
    def __init__(self, actor: Any, organisation: Any) -> None:
        super().__init__(actor, organisation)
        self.planned_in_file: set[int] = set()  # cases whose plan an earlier row of the file makes
        self.groups = groups_in(self.grants[0].permissions) if self.grants else frozenset()
        self.types = {t.code: t for t in AssistanceType.objects.filter(active=True)}

    def check(self, rows: list[Row]) -> list[Checked]:
        cases = self._cases(rows)
        plans = {
            p.case_id: p
            for p in Plan.objects.filter(case__in=list(cases.values())).select_related("in_force", "latest")
        }
        keys = {r.values["item_external_id"] for r in rows} - {""}
        references = {
            r.external_id: r
            for r in ItemReference.objects.filter(organisation=self.organisation, external_id__in=keys)
        }
        items = {
            i.key: i
            for i in AssistanceItem.objects.filter(
                key__in=[r.key for r in references.values()], version__imported=True
            )
        }
        seen = self.earlier_rows
        results = []
        for row in rows:
            problems = Problems()
            v = row.values
            case = self._case(problems, row, cases)
            key = v["item_external_id"]
            check_own_key(
                problems, "item_external_id", key, seen, row.number,
                missing=_("Give your organisation's identifier of this item."),
                twice=_("An earlier row of the file gives this item."),
            )  # fmt: skip
            values = self._values(problems, v)
            approved_on = day_value(problems, "approved_on", v["approved_on"])
            plan = plans.get(case.pk) if case is not None else None
            if plan is not None and not (
                plan.in_force is not None and plan.in_force.imported and plan.latest_id == plan.in_force_id
            ):
                problems.add(
                    "case_external_id",
                    _("This case has a plan in REMIS: record its assistance on the plan page."),
                )
            # The first item of a case without a plan gives the plan's day; the case's next
            # items in the file need not repeat it (its Columns sheet says so: they were
            # refused, and accepted when the same file was run again).
            planned_above = case is not None and case.pk in self.planned_in_file
            if plan is None and not v["approved_on"] and not planned_above:
                problems.add("approved_on", _("Give the day the plan was approved."))
            reference = references.get(key)
            if reference is not None and case is not None and reference.case_id != case.pk:
                problems.add("item_external_id", _("This identifier is an item of another case."))
            if problems.items or case is None or values is None:
                results.append(Checked(row, Outcome.REFUSED, problems.items))
                continue
            seen.note(key, row.number)
            if plan is None and approved_on is not None:
                self.planned_in_file.add(case.pk)
            current = items.get(reference.key) if reference is not None else None
            if current is None:
                results.append(
                    Checked(row, Outcome.CREATE, payload=(case, key, values, approved_on, None, {}))
                )
                continue
            if current.status == ItemStatus.IN_PROGRESS and values["status"] == ItemStatus.APPROVED:
                # Payments moved it on (imported or recorded): the file's "approved" is what
                # it was, not a step back to take.
                values = {**values, "status": ItemStatus.IN_PROGRESS}
            before = {name: getattr(current, name) for name in ITEM_FIELDS}
            changes = diff(before, {name: values[name] for name in ITEM_FIELDS})
            if changes and "amount" in changes:
                paid = paid_for(current)
                if paid and paid > values["amount"]:
                    message = _("%(paid)s is already paid for this item: the budget cannot be less.") % {
                        "paid": paid
                    }
                    results.append(Checked(row, Outcome.REFUSED, [("amount", message)]))
                    continue
            outcome = Outcome.UPDATE if changes else Outcome.UNCHANGED
            results.append(Checked(row, outcome, payload=(case, key, values, approved_on, current, changes)))
        return results

    def _values(self, problems: Problems, v: dict[str, str]) -> dict[str, Any] | None:
        kind = self.types.get(v["type"])
        if kind is not None and not shows(self.groups, kind.sensitive_group):
            kind = None  # as if unknown: the importer may not record it
        starts_on = day_value(problems, "starts_on", v["starts_on"])
        ends_on = day_value(problems, "ends_on", v["ends_on"])
        amount = amount_in_file(v["amount"])
        if amount is None:
            problems.add("amount", file_amount_problem(v["amount"]))
        try:
            values = clean_item(
                ItemData(
                    kind=kind, modality=v["modality"], amount=amount or v["amount"],
                    currency=v["currency"], level=v["level"] or Level.INDIVIDUAL,
                    route=v["route"] or Route.DIRECT, description=v["description"],
                    starts_on=starts_on, ends_on=ends_on,
                )
            )  # fmt: skip
        except ValidationFailed as error:
            for field, message in error.errors:
                if field != "amount" or amount is not None:  # an unreadable amount is said once
                    problems.add("type" if field == "kind" else field, message)
            values = None
        status = v["status"]
        if status not in IMPORTED_STATUSES:
            problems.add("status", _("Choose one of: %(codes)s.") % {"codes": ", ".join(IMPORTED_STATUSES)})
        reason = v["cancel_reason"]
        if status == ItemStatus.CANCELLED and not reason:
            problems.add("cancel_reason", _("Give the reason the item was cancelled."))
        if len(reason) > 500:
            problems.add("cancel_reason", _("Write at most %(limit)s characters.") % {"limit": 500})
        if values is None or problems.items:
            return None
        kind_value = values.pop("kind")
        return {
            **values,
            "kind_id": kind_value.pk,
            "dimension": kind_value.dimension,
            "status": status,
            "cancel_reason": reason if status == ItemStatus.CANCELLED else "",
        }

    def write(self, accepted: list[Checked]) -> None:
        added: list[tuple[Any, dict[str, list[Any]] | None, Any]] = []
        changed: list[tuple[Any, dict[str, list[Any]] | None, Any]] = []
        plans_made: list[tuple[Any, dict[str, list[Any]] | None, Any]] = []
        versions: dict[int, PlanVersion] = {}
        for item in accepted:
            case, key, values, approved_on, current, changes = item.payload
            fields = {k: v for k, v in values.items() if k != "dimension"}
            if current is not None:
                AssistanceItem.objects.filter(pk=current.pk).update(**fields)
                changed.append((current, changes, case.uuid))
                continue
            version = versions.get(case.pk) or self._version(case, approved_on, plans_made)
            versions[case.pk] = version
            goal = self._goal(version, values["dimension"])
            row = AssistanceItem.objects.create(version=version, goal=goal, key=uuid.uuid4(), **fields)
            ItemReference.objects.create(
                organisation=self.organisation, external_id=key, key=row.key, case=case
            )
            given = {name: values[name] for name in ITEM_FIELDS if values[name] not in (None, "")}
            added.append((row, {"item_external_id": [None, key], **diff({}, given)}, case.uuid))
        org = self.organisation.pk
        record_many(self.actor, "assistance.plan_import", plans_made, organisation_id=org)
        record_many(self.actor, "assistance.item_import", added, organisation_id=org)
        record_many(self.actor, "assistance.item_import_update", changed, organisation_id=org)

    def _version(self, case: Case, approved_on: dt.date | None, made: list[Any]) -> PlanVersion:
        Case.objects.select_for_update(no_key=True).filter(pk=case.pk).first()
        plan = Plan.objects.filter(case=case).select_related("in_force").first()
        if plan is not None and plan.in_force is not None:
            return plan.in_force
        assert approved_on is not None  # checked: a new plan needs its day
        plan = Plan.objects.create(case=case, created_by=self.actor)
        version = PlanVersion.objects.create(
            plan=plan, number=1, status=PlanStatus.APPROVED, drafted_by=self.actor, imported=True,
            approved_at=_noon(approved_on), agreed_on=approved_on,
        )  # fmt: skip
        Plan.objects.filter(pk=plan.pk).update(latest=version, in_force=version)
        made.append(
            (version, {"approved_on": [None, approved_on.isoformat()], "imported": [None, True]}, case.uuid)
        )
        return version

    def _goal(self, version: PlanVersion, dimension: str) -> Goal:
        need = Need.objects.filter(version=version, dimension=dimension).first()
        if need is None:
            position = Need.objects.filter(version=version).count()
            need = Need.objects.create(
                version=version, dimension=dimension, description=DASH, position=position
            )
        goal = Goal.objects.filter(need=need).first()
        return goal or Goal.objects.create(need=need, description=DASH, position=0)


class PaymentImporter:
    def __init__(self, actor: Any, organisation: Any) -> None:
        self.actor = actor
        self.organisation = organisation
        self.records = CaseRecords(actor, organisation)

    def check(self, rows: list[Row]) -> list[Checked]:
        keys = {r.values["item_external_id"] for r in rows} - {""}
        references = {
            r.external_id: r
            for r in ItemReference.objects.filter(
                organisation=self.organisation, external_id__in=keys
            ).select_related("case")
        }
        items = {
            i.key: i
            for i in AssistanceItem.objects.filter(
                key__in=[r.key for r in references.values()], version__imported=True
            ).select_related("version")
        }
        # The organisation's current access to the items' cases: an ended one (consent
        # withdrawn) leaves its item identifiers behind, but no right to pay against them.
        open_access = set(
            CaseAccess.objects.filter(
                organisation=self.organisation,
                revoked_at__isnull=True,
                case_id__in={r.case_id for r in references.values()},
            ).values_list("case_id", flat=True)
        )
        # A payment voided since it was imported is still found by the same file row
        # (re-importing the file does not bring it back); only those that stand count as paid.
        stored = set(Instalment.objects.filter(key__in=list(items)).values_list("key", "paid_on", "amount"))
        paid: dict[Any, Decimal] = {
            row["key"]: row["total"]
            for row in Instalment.objects.filter(key__in=list(items))
            .counted()
            .values("key")
            .annotate(total=Sum("amount"))
        }
        today = timezone.localdate()
        results = []
        for row in rows:
            problems = Problems()
            v = row.values
            reference = references.get(v["item_external_id"])
            item = items.get(reference.key) if reference is not None else None
            if item is None or reference is None:
                problems.add(
                    "item_external_id", _("Your organisation has no imported item with this identifier.")
                )
            elif reference.case_id not in open_access or not any(
                g.covers(reference.case.host_country) or g.covers(reference.case.origin_country)
                for g in self.records.grants
            ):
                problems.add(
                    "item_external_id", _("You may not import records of this case for this organisation.")
                )
            elif item.status == ItemStatus.CANCELLED:
                problems.add("item_external_id", _("This item is cancelled: nothing is paid for it."))
            day = day_value(problems, "paid_on", v["paid_on"])
            if not v["paid_on"]:
                problems.add("paid_on", _("Enter the day of the payment."))
            elif day is not None and day > today:
                problems.add("paid_on", _("A payment cannot be dated in the future."))
            amount = None
            written = amount_in_file(v["amount"])
            try:
                if written is None:
                    raise ValidationFailed(file_amount_problem(v["amount"]), "amount")
                amount = clean_amount(written, "amount", positive=True)
            except ValidationFailed as error:
                problems.add("amount", error.message)
            try:
                currency = clean_currency(v["currency"], "currency")
            except ValidationFailed as error:
                problems.add("currency", error.message)
                currency = ""
            if item is not None and currency and currency != item.currency:
                problems.add(
                    "currency",
                    _("This item is budgeted in %(currency)s: pay it in %(currency)s.")
                    % {"currency": item.currency},
                )
            approved = item.version.approved_at if item is not None else None
            if item is not None and day is not None and approved and day < approved.date():
                problems.add("paid_on", _("A payment cannot be dated before the plan was approved."))
            if problems.items or item is None or reference is None or day is None or amount is None:
                results.append(Checked(row, Outcome.REFUSED, problems.items))
                continue
            statement = (item.key, day, amount)
            if statement in stored:
                results.append(Checked(row, Outcome.UNCHANGED))
                continue
            total = paid.get(item.key, Decimal("0")) + amount
            if total > item.amount:
                message = _(
                    "This payment would bring the total paid to %(total)s, above the budget %(budget)s."
                ) % {
                    "total": total,
                    "budget": item.amount,
                }
                results.append(Checked(row, Outcome.REFUSED, [("amount", message)]))
                continue
            stored.add(statement)
            paid[item.key] = total
            results.append(Checked(row, Outcome.CREATE, payload=(item, reference.case, day, amount)))
        return results

    def write(self, accepted: list[Checked]) -> None:
        made: list[tuple[Any, dict[str, list[Any]] | None, Any]] = []
        for checked in accepted:
            item, case, day, amount = checked.payload
            instalment = Instalment.objects.create(
                item=item,
                key=item.key,
                paid_on=day,
                amount=amount,
                currency=item.currency,
                recorded_by=self.actor,
            )
            if item.status == ItemStatus.APPROVED:
                AssistanceItem.objects.filter(pk=item.pk, status=ItemStatus.APPROVED).update(
                    status=ItemStatus.IN_PROGRESS
                )
            changes = {
                "paid_on": [None, day.isoformat()],
                "amount": [None, str(amount)],
                "currency": [None, item.currency],
            }
            made.append((instalment, changes, case.uuid))
        record_many(self.actor, "assistance.instalment_import", made, organisation_id=self.organisation.pk)


def _codes(choices: Any) -> Any:
    return lambda: list(choices.values)


ITEM_KEY = Column(
    "item_external_id",
    gettext_lazy("Item's external ID"),
    True,
    "DB-2010-0042-A1",
    help=gettext_lazy("Your organisation's identifier of the assistance item; importing again updates it."),
)


def _types() -> list[str]:
    return list(AssistanceType.objects.filter(active=True).order_by("code").values_list("code", flat=True))


def entities() -> list[Entity]:
    items = Entity(
        code="plan_items",
        label=gettext_lazy("Plan items"),
        description=gettext_lazy(
            "One row an item of assistance of a case's reintegration plan as it was approved elsewhere, "
            "with its budget and status."
        ),
        columns=(
            CASE_KEY,
            ITEM_KEY,
            Column("type", gettext_lazy("Type"), True, "business_setup", _types),
            Column("description", gettext_lazy("Description"), False, ""),
            Column("level", gettext_lazy("Level"), False, "individual", _codes(Level)),
            Column("modality", gettext_lazy("Modality"), True, "in_kind", _codes(Modality)),
            Column("route", pgettext_lazy("assistance delivery", "Route"), False, "direct", _codes(Route)),
            Column("amount", gettext_lazy("Budget"), True, "1500.00"),
            Column("currency", gettext_lazy("Currency"), True, "EUR"),
            Column("starts_on", gettext_lazy("Planned start"), False, ""),
            Column("ends_on", gettext_lazy("Planned end"), False, ""),
            Column("status", gettext_lazy("Status"), True, "delivered", lambda: list(IMPORTED_STATUSES)),
            Column("cancel_reason", gettext_lazy("Reason for cancelling"), False, ""),
            Column(
                "approved_on",
                gettext_lazy("Plan approved on"),
                False,
                "2010-04-01",
                help=gettext_lazy(
                    "Required for a case's first imported item: the day its plan was approved."
                ),
            ),
        ),
        start=ItemImporter,
        may_import=may_import,
    )
    payments = Entity(
        code="payments",
        label=gettext_lazy("Payments"),
        description=gettext_lazy("One row an instalment paid for an imported plan item."),
        columns=(
            ITEM_KEY,
            Column("paid_on", gettext_lazy("Paid on"), True, "2010-05-02"),
            Column("amount", gettext_lazy("Amount"), True, "500.00"),
            Column("currency", gettext_lazy("Currency"), True, "EUR"),
        ),
        start=PaymentImporter,
        may_import=may_import,
    )
    return [items, payments]


def register() -> None:
    from remis.interop.importing import register_entity

    for entity in entities():
        register_entity(entity)
