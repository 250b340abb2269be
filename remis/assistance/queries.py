"""Reads on plans, every one through the actor's case scope (remis/cases/policy.py):
a plan the actor cannot see is missing, the same 404."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.assistance.actions.approvals import (
    Requirement,
    can_be_met,
    committed_amounts,
    possible_approvers,
    requirement,
)
from remis.assistance.configuration import MissingRate, convert, package_for, reporting_settings
from remis.assistance.models import (
    Approval,
    AssistanceItem,
    Instalment,
    ItemStatus,
    Plan,
    PlanStatus,
    PlanVersion,
    Route,
)
from remis.cases.models import Case
from remis.cases.policy import case_permissions, shows, visible_through
from remis.cases.queries import get_case_for
from remis.lib.countries import country_name
from remis.lib.errors import NotFound
from remis.lib.text import fold

CENT = Decimal("0.01")


def plan_of(case: Case) -> Plan | None:
    return Plan.objects.filter(case=case).select_related("latest", "in_force").first()


def get_version_for(
    actor: Any, case_uuid: uuid.UUID | str, number: int, perm: Perm | None = None
) -> PlanVersion:
    case = get_case_for(actor, case_uuid, perm)
    version = (
        PlanVersion.objects.select_related("plan__case__programme")
        .filter(plan__case=case, number=number)
        .first()
    )
    if version is None:
        raise NotFound()
    return version


def get_item_for(actor: Any, item_id: int, perm: Perm | None = None) -> AssistanceItem:
    item = (
        AssistanceItem.objects.filter(visible_through(actor, "version__plan__case_id"), pk=item_id)
        .select_related("version__plan__case__programme", "goal__need", "kind")
        .first()
    )
    if item is None:
        raise NotFound()
    get_case_for(actor, item.version.plan.case.uuid, perm)  # the permission, on that case
    return item


def versions_of(plan: Plan) -> list[PlanVersion]:
    return list(plan.versions.select_related("drafted_by", "submitted_by").order_by("-number"))


@dataclass
class Money:
    """Amounts by currency, and their sum in the reporting currency (None: a rate is missing)."""

    by_currency: dict[str, Decimal] = field(default_factory=dict)
    reporting: Decimal | None = None
    missing: list[MissingRate] = field(default_factory=list)

    def rows(self) -> list[tuple[str, Decimal]]:
        return sorted(self.by_currency.items())

    def converted(self, to_currency: str) -> bool:
        """Whether the sum in `to_currency` says more than the amounts by currency: not when
        they are all in it already (every amount was shown twice, unexplained)."""
        return self.reporting is not None and set(self.by_currency) - {to_currency} != set()


def _money(rows: list[tuple[Decimal, str, dt.date]], to_currency: str) -> Money:
    by_currency: dict[str, Decimal] = defaultdict(Decimal)
    for amount, currency, _day in rows:
        by_currency[currency] += amount
    total, missing = convert(rows, to_currency)
    # A sum from SQLite loses the column's two decimals ("400"): every amount shows two.
    return Money({c: a.quantize(CENT) for c, a in by_currency.items()}, None if missing else total, missing)


@dataclass
class Budget:
    planned: Money
    approved: Money
    disbursed: Money
    currency: str  # the reporting currency
    package: Decimal

    @property
    def columns(self) -> list[Money]:
        return [self.planned, self.approved, self.disbursed]

    @property
    def cells(self) -> list[tuple[Money, bool]]:
        """Each column with whether its sum in the reporting currency is shown (`converted`)."""
        return [(money, money.converted(self.currency)) for money in self.columns]


def budget_of(plan: Plan, day: dt.date) -> Budget:
    """Planned (the latest version), approved (the version in force) and disbursed (every
    instalment, at its month's rate), by currency and in the programme's reporting currency."""
    case = plan.case
    programme_settings = reporting_settings(case, day)
    to = programme_settings.currency

    def items(version_id: int | None) -> list[tuple[Decimal, str, dt.date]]:
        if version_id is None:
            return []
        return [(a, c, day) for a, c in committed_amounts(version_id)]

    paid = (
        Instalment.objects.filter(item__version__plan=plan)
        .counted()
        .values_list("amount", "currency", "paid_on")
    )
    return Budget(
        planned=_money(items(plan.latest_id), to),
        approved=_money(items(plan.in_force_id), to),
        disbursed=_money(list(paid), to),
        currency=to,
        package=package_for(case, programme_settings),
    )


def instalments_of(item: AssistanceItem) -> list[Instalment]:
    """Every payment recorded for the item, in any version of the plan, voided ones too
    (the item's history), oldest first."""
    return list(
        Instalment.objects.filter(key=item.key).select_related("recorded_by", "voided_by", "item__version")
    )


def paid_of(instalments: list[Instalment]) -> Decimal:
    """What the payments that stand add up to."""
    return sum((i.amount for i in instalments if i.voided_at is None), start=Decimal("0.00"))


@dataclass
class ItemRow:
    item: AssistanceItem
    paid: Decimal


def dimension_group(dimension: Any) -> str:
    """The sensitive group a need of this dimension is in: a psychosocial need ("distress
    after detention") and its goals are psychosocial information (pages, API, history)."""
    from remis.accounts.permissions import SensitiveGroup
    from remis.assistance.models import Dimension

    return str(SensitiveGroup.PSYCHOSOCIAL) if dimension == Dimension.PSYCHOSOCIAL else ""


def mask_needs(needs: list[Any], groups: frozenset[str] | None) -> list[Any]:
    """Mark the needs (and their goals, as prefetched) in a group the reader does not hold:
    pages read "Restricted" for their words, the API blanks them."""
    for need in needs:
        need.restricted = groups is not None and not shows(groups, dimension_group(need.dimension))
        for goal in need.goals.all():
            goal.restricted = need.restricted
    return needs


def mask_goals(goals: list[Any], groups: frozenset[str] | None) -> list[Any]:
    """Goals read with their need (`select_related("need")`), marked as their need is."""
    for goal in goals:
        goal.restricted = groups is not None and not shows(groups, dimension_group(goal.need.dimension))
    return goals


def mask(items: list[AssistanceItem], groups: frozenset[str] | None) -> list[AssistanceItem]:
    """Mark the items whose type is in a sensitive group the reader does not hold, and the
    need and goal each serves (the item's page and the case's panel show them)."""
    if groups is not None:
        for item in items:
            item.restricted = not shows(groups, item.kind.sensitive_group)
            if "goal" in item._state.fields_cache:
                mask_goals([item.goal], groups)
                item.goal.need.restricted = item.goal.restricted
    return items


def items_with_paid(version: PlanVersion, groups: frozenset[str] | None = None) -> list[ItemRow]:
    items = mask(list(version.items.select_related("kind", "goal__need")), groups)
    paid = dict(
        Instalment.objects.filter(key__in=[i.key for i in items])
        .counted()
        .values("key")
        .annotate(total=Sum("amount"))
        .values_list("key", "total")
    )
    # A sum from SQLite loses the column's two decimals ("450"): every amount has two.
    return [ItemRow(item, Decimal(paid.get(item.key, 0)).quantize(CENT)) for item in items]


def decisions_of(version: PlanVersion) -> list[Approval]:
    return list(version.decisions.select_related("by", "thresholds").order_by("at", "id"))


def requirement_of(version: PlanVersion, day: dt.date) -> Requirement:
    return requirement(version, day)


@dataclass(frozen=True)
class Approvers:
    """Who may approve a version other than its author, by name (managers apart), and
    whether they are enough for the level it needs: the page says so before a plan waits
    for an approver who does not exist."""

    names: list[str]
    managers: list[str]
    enough: bool

    @property
    def listed(self) -> str:
        """The names, managers first ("Amina Diallo (programme manager), Sekou Camara")."""
        from django.utils.translation import gettext as _

        from remis.lib.text import list_separator

        managers = [_("%(name)s (programme manager)") % {"name": name} for name in self.managers]
        return list_separator().join([*managers, *self.names])


def approvers_of(version: PlanVersion, level: int) -> Approvers:
    from remis.accounts.models import User

    people, managers = possible_approvers(version, {version.drafted_by_id, version.submitted_by_id})
    display = {u.pk: u.display_name for u in User.objects.filter(pk__in=people)}
    return Approvers(
        names=sorted(display[u] for u in people - managers),
        managers=sorted(display[u] for u in managers),
        enough=can_be_met(level, people, managers),
    )


@dataclass
class ComparedItem:
    key: uuid.UUID
    label: str
    left: AssistanceItem | None
    right: AssistanceItem | None

    @property
    def changed(self) -> bool:
        if self.left is None or self.right is None:
            return True
        fields = (
            "amount",
            "currency",
            "kind_id",
            "modality",
            "route",
            "level",
            "status",
            "starts_on",
            "ends_on",
        )
        return any(getattr(self.left, f) != getattr(self.right, f) for f in fields)

    @property
    def amount_changed(self) -> bool:
        return bool(
            self.left
            and self.right
            and (self.left.amount, self.left.currency) != (self.right.amount, self.right.currency)
        )


def compare(
    left: PlanVersion, right: PlanVersion, groups: frozenset[str] | None = None
) -> list[ComparedItem]:
    """The items of two versions side by side, matched by key: changed, added or removed."""
    lefts = {i.key: i for i in mask(list(left.items.select_related("kind", "goal__need")), groups)}
    rights = {i.key: i for i in mask(list(right.items.select_related("kind", "goal__need")), groups)}
    keys = list(dict.fromkeys([*lefts, *rights]))
    rows = []
    for key in keys:
        shown = rights.get(key) or lefts[key]
        label = str(_("Restricted")) if shown.restricted else shown.kind.label
        rows.append(ComparedItem(key, label, lefts.get(key), rights.get(key)))
    return rows


def totals_by_currency(version: PlanVersion) -> list[tuple[str, Decimal]]:
    """A version's total per currency: its items' budgets, and what was paid on its
    cancelled items (`approvals.committed_amounts`, the total its approval level and budget
    read: the page's "Total" said 1,530 EUR beside an approval "Total 1,600 EUR")."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for amount, currency in committed_amounts(version.pk):
        sums[currency] += amount
    return sorted(sums.items())


# ---- work lists -----------------------------------------------------------------------------


def awaiting_approval(actor: Any) -> QuerySet[PlanVersion]:
    """Submitted versions the actor may decide on: plan.approve on the case, not drafted or
    submitted by them, not already approved by them in this round."""
    from remis.cases.policy import scoped_case_ids

    # Open cases only: a closed case's plan is not decided (its page offers no decision), and
    # it stayed in the approvers' work for good, as instalments due no longer do.
    cases = scoped_case_ids(actor, Perm.PLAN_APPROVE, open_only=True)
    versions = (
        PlanVersion.objects.filter(status=PlanStatus.SUBMITTED, plan__case__in=cases)
        .exclude(Q(drafted_by=actor) | Q(submitted_by=actor))
        .select_related("plan__case")
        .order_by("submitted_at", "id")
    )
    # Those the actor already approved in their current round are not theirs to do.
    mine = Approval.objects.filter(version=OuterRef("pk"), round=OuterRef("round"), by=actor)
    return versions.exclude(Exists(mine))


def approved_in_round(version: PlanVersion, actor: Any) -> bool:
    """The actor approved this submitted version in its current round (a second approver
    must decide: `approvals.approve` refuses them)."""
    return Approval.objects.filter(version=version, round=version.round, by=actor).exists()


def returned_to(actor: Any) -> QuerySet[PlanVersion]:
    """Returned versions the actor drafted or submitted."""
    return (
        PlanVersion.objects.filter(visible_through(actor, "plan__case_id"), status=PlanStatus.RETURNED)
        .filter(Q(drafted_by=actor) | Q(submitted_by=actor))
        .select_related("plan__case")
        .order_by("-submitted_at", "id")
    )


def instalments_due(
    actor: Any, today: dt.date, *, mine: bool = False, reference: str = ""
) -> QuerySet[AssistanceItem]:
    """Items the programme pays itself (not those referred to a provider, which the
    provider delivers) of plans in force, starting on or before today or with no start date
    (due since their approval: they never appeared), not fully paid, on open cases where the
    actor records payments (a closed case takes no payment: an imported 2013 item of a case
    closed in 2014 read as a payment overdue). `mine`: only on the cases the actor follows
    (`followed_by`), as their home page lists them: IOM Belgium's manager had the partners'
    instalments of returnees in Iraq and Russia there. `reference`: the cases whose reference
    starts so."""
    from remis.cases.policy import scoped_case_ids
    from remis.cases.queries import followed_by

    plan_case = "version__plan__case"
    followed = followed_by(actor, Perm.PAYMENT_RECORD, f"{plan_case}_id", f"{plan_case}__origin_country")

    paid_sum = (
        Instalment.objects.filter(key=OuterRef("key"))
        .counted()
        .values("key")
        .annotate(t=Sum("amount"))
        .values("t")
    )
    return (
        AssistanceItem.objects.filter(
            version__status=PlanStatus.APPROVED,
            version__plan__case__in=scoped_case_ids(actor, Perm.PAYMENT_RECORD, open_only=True),
            status__in=[ItemStatus.APPROVED, ItemStatus.IN_PROGRESS],
        )
        .filter(Q(starts_on__lte=today) | Q(starts_on__isnull=True))
        .filter(followed if mine else Q())
        .filter(Q(**{f"{plan_case}__reference__istartswith": start}) if (start := reference.strip()) else Q())
        .exclude(route=Route.REFERRAL)
        .annotate(
            paid=Coalesce(
                Subquery(paid_sum, output_field=DecimalField()),
                Value(Decimal("0")),
                output_field=DecimalField(),
            )
        )
        .filter(paid__lt=F("amount"))
        .select_related("version__plan__case", "kind")
        .order_by(F("starts_on").asc(nulls_first=True), "id")
    )


def permissions_on(actor: Any, case: Case) -> frozenset[str]:
    return case_permissions(actor, case)


# ---- budgets across cases -------------------------------------------------------------------


@dataclass
class BudgetRow:
    programme: str
    country: str
    currency: str  # the programme's reporting currency
    planned: Money
    approved: Money
    disbursed: Money
    plans: int
    total: bool = False  # the programme's total over its countries

    @property
    def columns(self) -> list[Money]:
        return [self.planned, self.approved, self.disbursed]

    @property
    def cells(self) -> list[tuple[Money, bool]]:
        """Each column with whether its sum in the reporting currency is shown (`converted`)."""
        return [(money, money.converted(self.currency)) for money in self.columns]

    @property
    def country_label(self) -> str:
        """The country of origin's name in the reader's language (read when shown)."""
        from remis.lib.countries import country_name

        return country_name(self.country)


def budget_totals(
    actor: Any,
    day: dt.date,
    *,
    programme_id: int | None = None,
    paid_from: dt.date | None = None,
    paid_to: dt.date | None = None,
) -> list[BudgetRow]:
    """Planned, approved and disbursed per programme and country of origin, over the plans
    the actor may see, summed by the database per currency (and month, for payments), then
    converted to each programme's reporting currency. `programme_id` keeps one programme;
    `paid_from` and `paid_to` count the instalments paid in those days only (what a quarter
    disbursed); planned and approved are the plans as they stand."""
    from remis.programmes.models import Programme

    every_item = AssistanceItem.objects.filter(visible_through(actor, "version__plan__case_id"))
    instalments = Instalment.objects.filter(visible_through(actor, "item__version__plan__case_id"))
    plan_rows = Plan.objects.filter(visible_through(actor, "case_id"))
    if programme_id is not None:
        every_item = every_item.filter(version__plan__case__programme_id=programme_id)
        instalments = instalments.filter(item__version__plan__case__programme_id=programme_id)
        plan_rows = plan_rows.filter(case__programme_id=programme_id)
    items = every_item.exclude(status=ItemStatus.CANCELLED)
    cancelled = every_item.filter(status=ItemStatus.CANCELLED)
    # What was paid on a cancelled item stays committed (`approvals.committed_amounts`, as
    # each plan page counts it): left out here, the programme's approved figure was lower
    # than the sum of its plans', and below what it had disbursed.
    paid_on_cancelled = {
        name: instalments.filter(
            key__in=cancelled.filter(**{f"version__plan__{name}": F("version")}).values("key")
        )
        .counted()
        .values(
            "item__version__plan__case__programme_id", "item__version__plan__case__origin_country", "currency"
        )
        .annotate(total=Sum("amount"))
        for name in ("latest", "in_force")
    }
    if paid_from is not None:
        instalments = instalments.filter(paid_on__gte=paid_from)
    if paid_to is not None:
        instalments = instalments.filter(paid_on__lte=paid_to)
    group = ["version__plan__case__programme_id", "version__plan__case__origin_country", "currency"]
    planned = items.filter(version__plan__latest=F("version")).values(*group).annotate(total=Sum("amount"))
    approved = items.filter(version__plan__in_force=F("version")).values(*group).annotate(total=Sum("amount"))
    paid = (
        instalments.counted()
        .values(
            "item__version__plan__case__programme_id",
            "item__version__plan__case__origin_country",
            "currency",
            month=TruncMonth("paid_on"),
        )
        .annotate(total=Sum("amount"))
    )
    plans = plan_rows.values("case__programme_id", "case__origin_country").annotate(n=Count("id"))
    rows: dict[tuple[int, str], dict[str, list[tuple[Decimal, str, dt.date]]]] = defaultdict(
        lambda: {"planned": [], "approved": [], "disbursed": []}
    )
    for name, query in (("planned", planned), ("approved", approved)):
        for r in query:
            key = (r["version__plan__case__programme_id"], r["version__plan__case__origin_country"])
            rows[key][name].append((r["total"], r["currency"], day))
    for r in paid:
        key = (r["item__version__plan__case__programme_id"], r["item__version__plan__case__origin_country"])
        rows[key]["disbursed"].append((r["total"], r["currency"], r["month"]))
    for name, column in (("latest", "planned"), ("in_force", "approved")):
        for r in paid_on_cancelled[name]:
            key = (
                r["item__version__plan__case__programme_id"],
                r["item__version__plan__case__origin_country"],
            )
            rows[key][column].append((r["total"], r["currency"], day))
    counts = {(r["case__programme_id"], r["case__origin_country"]): r["n"] for r in plans}
    programmes = {p.pk: p for p in Programme.objects.filter(pk__in={k[0] for k in [*rows, *counts]})}
    out = []
    # By programme, then by the country's name as the reader spells it (the codes' order put
    # Belarus after Brazil and Kosovo, XK, last); each programme closed by its total.
    keys = sorted(
        set(rows) | set(counts), key=lambda k: (fold(programmes[k[0]].name), fold(country_name(k[1])))
    )
    for key in keys:
        programme = programmes[key[0]]
        to = reporting_currency(programme, day)
        sums = rows[key]
        out.append(
            BudgetRow(
                programme=programme.name,
                country=key[1],
                currency=to,
                planned=_money(sums["planned"], to),
                approved=_money(sums["approved"], to),
                disbursed=_money(sums["disbursed"], to),
                plans=counts.get(key, 0),
            )
        )
    return _with_totals(out)


def _added(parts: list[Money]) -> Money:
    by_currency: dict[str, Decimal] = defaultdict(Decimal)
    for money in parts:
        for currency, amount in money.by_currency.items():
            by_currency[currency] += amount
    missing = [gap for money in parts for gap in money.missing]
    reporting = (
        None
        if missing or any(m.reporting is None for m in parts)
        else sum((m.reporting or Decimal(0) for m in parts), Decimal(0))
    )
    return Money(dict(by_currency), reporting, missing)


def _with_totals(rows: list[BudgetRow]) -> list[BudgetRow]:
    """Each programme's rows followed by their total, when it has more than one country (a
    manager added up a long page by hand); programmes report in their own currencies, so
    no total spans two of them. `rows` come grouped by programme."""
    out: list[BudgetRow] = []
    for programme, grouped in groupby(rows, key=lambda r: r.programme):
        own = list(grouped)
        out += own
        if len(own) > 1:
            out.append(
                BudgetRow(
                    programme=programme,
                    country="",
                    currency=own[0].currency,
                    planned=_added([r.planned for r in own]),
                    approved=_added([r.approved for r in own]),
                    disbursed=_added([r.disbursed for r in own]),
                    plans=sum(r.plans for r in own),
                    total=True,
                )
            )
    return out


def reporting_currency(programme: Any, day: dt.date) -> str:
    from remis.programmes.queries import settings_on

    return settings_on(programme, day).currency
