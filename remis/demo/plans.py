"""Reintegration plans for some generated cases at the plan, assistance and monitoring stages,
in several countries of origin, written through the assistance actions by the demo's own
people: a case worker of the partner drafts, the host office's programme manager approves,
the case worker pays. Every state shows: draft, submitted, returned, approved (with
instalments, delivered and cancelled items), and approved plans changed by a second version
(open, or approved over the first). Synthetic, like every demo case."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from remis.accounts.models import Membership, User
from remis.accounts.permissions import Perm
from remis.accounts.system import system_actor
from remis.assistance import actions
from remis.assistance.models import Plan, PlanStatus
from remis.cases.actions import transition_case
from remis.cases.lifecycle import JOURNEY, Stage
from remis.cases.models import Case
from remis.cases.policy import case_permissions
from remis.lib.errors import DomainError
from remis.lib.money import has_fraction

# What each played plan ends as, by the stage its case is at.
SCRIPTS = {
    Stage.PLAN: ("draft", "submitted", "returned", "approved"),
    # A changed plan early in each list, so even a small demo shows a superseded version.
    Stage.ASSISTANCE: ("second_approved", "paid", "second_open", "paid"),
    Stage.MONITORING: ("delivered", "second_approved", "paid"),
}
PER_COUNTRY = 4
PER_STAGE = 24
# Demo exchange rates into EUR (synthetic, rounded), for the local-currency items.
RATES = {"GNF": Decimal("0.000107"), "IQD": Decimal("0.000700"), "XOF": Decimal("0.001524")}
ITEMS = (
    (
        "economic",
        "No income since return",
        "A small business running within six months",
        [("business_setup", "cash", "900"), ("vocational_training", "service", "350")],
    ),
    ("social", "Housing is overcrowded", "Stable housing for the household", [("housing", "cash", "400")]),
    (
        "psychosocial",
        "Distress after the return",
        "Regular counselling sessions",
        [("psychosocial_counselling", "service", "150")],
    ),
)
LOCAL = {"GN": "GNF", "IQ": "IQD", "SN": "XOF", "ML": "XOF", "CI": "XOF"}


class Unplayable(Exception):
    """A script the demo's people cannot play on a case (no second approver reaches it)."""


def _form() -> SimpleUploadedFile:
    return SimpleUploadedFile("agreement.pdf", b"%PDF-1.4 synthetic demo agreement form", "application/pdf")


def _with(case: Case, perm: Perm, role: str, besides: User | None = None) -> User | None:
    """A demo user of an organisation with access to the case, in `role`, holding `perm` on
    it, other than `besides`."""
    orgs = list(case.access.filter(revoked_at__isnull=True).values_list("organisation_id", flat=True))
    for membership in Membership.objects.filter(organisation_id__in=orgs, role_id=role).select_related(
        "user"
    )[:20]:
        if membership.user != besides and perm in case_permissions(membership.user, case):
            return membership.user
    return None


def _draft(worker: User, case: Case, rng: random.Random, today: dt.date) -> Any:
    plan = actions.start_plan(worker, case)
    version = plan.versions.get(number=1)
    local = LOCAL.get(case.origin_country)
    for dimension, need_text, goal_text, items in ITEMS[: rng.randint(1, len(ITEMS))]:
        need = actions.add_need(worker, version, dimension=dimension, description=need_text)
        goal = actions.add_goal(worker, need, description=goal_text)
        for kind, modality, amount in items:
            currency, value = "EUR", Decimal(amount)
            if local and kind == "housing":  # rent is paid locally, in the local currency
                currency, value = local, (value / RATES[local]).quantize(Decimal("1"))
            actions.add_item(
                worker,
                goal,
                actions.ItemData(
                    kind=kind,
                    modality=modality,
                    amount=value,
                    currency=currency,
                    # Services come from providers on the map: the referrals demo refers them.
                    route="referral" if modality == "service" else "direct",
                    starts_on=today - dt.timedelta(days=rng.randint(0, 20)),
                    ends_on=today + dt.timedelta(days=rng.randint(60, 180)),
                ),
            )
    actions.record_agreement(worker, version, agreed_on=today, upload=_form())
    return version


def _approve(worker: User, manager: User, version: Any) -> Any:
    """Submitted and approved, by a second manager of the case as well when the plan's level
    asks for two approvers (a plan above the package)."""
    actions.submit_plan(worker, version)
    version = actions.approve_plan(manager, version, comment="Within the programme's package.")
    if version.status == PlanStatus.SUBMITTED:
        second = _with(version.plan.case, Perm.PLAN_APPROVE, "programme_manager", besides=manager)
        if second is None:
            raise Unplayable  # no second approver reaches this case: it is skipped
        version = actions.approve_plan(second, version, comment="Agreed: above the package, as justified.")
    return version


def _pay(worker: User, version: Any, today: dt.date, *, all_of_it: bool = False) -> None:
    for item in version.items.order_by("id"):
        cent = Decimal("0.01") if has_fraction(item.currency) else Decimal("1")  # no half franc
        part = item.amount if all_of_it else (item.amount / 2).quantize(cent)
        actions.record_instalment(worker, item, paid_on=today, amount=part, currency=item.currency)


def _second(worker: User, plan: Plan, today: dt.date) -> Any:
    version = actions.open_new_version(worker, plan, reason="The business needs more stock")
    item = version.items.filter(kind__code="business_setup").first() or version.items.first()
    if item is not None:
        actions.update_item(
            worker,
            item,
            actions.ItemData(
                kind=item.kind,
                modality=item.modality,
                amount=item.amount + Decimal("150"),
                currency=item.currency,
                level=item.level,
                route=item.route,
                starts_on=item.starts_on,
                ends_on=item.ends_on,
            ),
            expected_version=None,
        )
    actions.record_agreement(worker, version, agreed_on=today, upload=_form())
    return version


def play(script: str, worker: User, manager: User, case: Case, rng: random.Random, today: dt.date) -> None:
    version = _draft(worker, case, rng, today)
    if script == "draft":
        return
    if script == "returned":
        actions.submit_plan(worker, version)
        actions.return_plan(manager, version, comment="Give the shop's expected monthly income.")
        return
    if script == "submitted":
        actions.submit_plan(worker, version)
        return
    version = _approve(worker, manager, version)
    if script == "approved":
        return
    _pay(worker, version, today, all_of_it=script == "delivered")
    if script == "delivered":
        items = list(version.items.order_by("id"))
        for item in items[:-1]:
            actions.change_item_status(worker, item, "delivered")
        return
    if script in ("second_open", "second_approved"):
        second = _second(worker, version.plan, today)
        if script == "second_approved":
            _approve(worker, manager, second)


def play_plans(seed: int = 2026, per_country: int = PER_COUNTRY) -> list[Case]:
    """Plans for up to `per_country` generated cases per country of origin and stage, in the
    corridors where a case worker and an approving manager both reach the case."""
    rng = random.Random(seed)
    today = timezone.localdate()
    for currency, rate in RATES.items():
        actions.record_exchange_rate(
            _rate_keeper(), month=today, currency=currency, to_currency="EUR", rate=rate
        )
    played: list[Case] = []
    counts: dict[tuple[Stage, str], int] = {}  # (stage, country of origin) -> plans played
    stages = list(SCRIPTS)
    turn = 0
    # Generated cases beyond the plan carry a generated plan (the guard before Assistance asks
    # for one): the played plans start from cases at the plan stage without one, taken in
    # turn for each stage, and those meant for a later stage move on to it once their plan
    # allows.
    for case in Case.objects.filter(stage=Stage.PLAN, plan__isnull=True).order_by("id")[:1200]:
        open_stages = [
            s
            for s in stages
            if counts.get((s, case.origin_country), 0) < per_country
            and sum(n for (st, _c), n in counts.items() if st == s) < PER_STAGE
        ]
        if not open_stages:
            continue
        stage = open_stages[turn % len(open_stages)]
        worker = _with(case, Perm.PLAN_EDIT, "case_worker")
        manager = _with(case, Perm.PLAN_APPROVE, "programme_manager")
        if worker is None or manager is None:
            continue
        scripts = SCRIPTS[stage]
        script = scripts[sum(n for (st, _c), n in counts.items() if st == stage) % len(scripts)]
        try:
            with transaction.atomic():  # a refused step leaves no half-played plan
                play(script, worker, manager, case, rng, today)
                for later in JOURNEY[JOURNEY.index(Stage.PLAN) + 1 : JOURNEY.index(stage) + 1]:
                    case.refresh_from_db()
                    transition_case(worker, case, later)
        except (DomainError, Unplayable):  # a case the demo cannot plan for (a missing rate): skip it
            continue
        turn += 1
        counts[(stage, case.origin_country)] = counts.get((stage, case.origin_country), 0) + 1
        case.refresh_from_db()
        played.append(case)
    return played


def _rate_keeper() -> User:
    """The host office manager of the demo's main corridor records the month's rates."""
    return User.objects.filter(username="manager.be").first() or system_actor()
