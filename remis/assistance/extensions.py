"""How the plan shows itself in the cases app without being imported by it: the lifecycle
guard, the case page panel and the dashboard's work lists, registered from AppConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from remis.accounts.permissions import Perm
from remis.assistance.actions.plans import plan_stage_reached
from remis.cases.extensions import CasePanel, PanelContext, WorkItem, WorkList, WorkSource, capped_count
from remis.cases.lifecycle import Stage
from remis.cases.models import Case
from remis.lib.money import amount_text

GUARD = "assistance.approved_plan"
FIRST_ROWS = 5


def needs_approved_plan(case: Case) -> str | None:
    from remis.assistance.models import Plan

    if not Plan.objects.filter(case=case, in_force__isnull=False).exists():
        return str(_("The reintegration plan must be approved before assistance starts."))
    return None


def plan_panel(seen: PanelContext) -> dict[str, Any] | None:
    from remis.assistance.queries import budget_of, items_with_paid, plan_of

    if seen.case.stage not in (
        Stage.ASSESSMENT,
        Stage.PLAN,
        Stage.ASSISTANCE,
        Stage.MONITORING,
        Stage.CLOSED,
    ):
        return None
    plan = plan_of(seen.case)
    if plan is None and seen.case.stage == Stage.CLOSED:
        return None  # closed without a plan: nothing to show
    if plan is None:
        return {
            "plan": None,
            "case": seen.case,
            "can_start": Perm.PLAN_EDIT in seen.permissions and plan_stage_reached(seen.case),
            "too_early": Perm.PLAN_EDIT in seen.permissions
            and not plan_stage_reached(seen.case)
            and seen.case.stage != Stage.CLOSED,
        }
    shown = plan.in_force or plan.latest
    return {
        "plan": plan,
        "case": seen.case,
        "version": shown,
        "latest": plan.latest,
        "rows": items_with_paid(shown, seen.groups) if shown else [],
        "budget": budget_of(plan, timezone.localdate()),
    }


def _version_item(version: Any) -> WorkItem:
    case = version.plan.case
    return WorkItem(
        label=f"{case.reference} · v{version.number}",
        url=reverse("plan_detail", args=[case.uuid]),
        due=version.submitted_at.date() if version.submitted_at else None,
    )


def awaiting_my_approval(actor: Any) -> WorkList | None:
    from remis.assistance.queries import awaiting_approval

    versions = awaiting_approval(actor)
    count, more = capped_count(versions)
    if not count:
        return None
    return WorkList(
        name="plans_to_approve",
        title=str(_("Plans awaiting my approval")),
        count=count,
        more=more,
        items=[_version_item(v) for v in versions[:FIRST_ROWS]],
        date_label=str(_("Submitted")),  # the day it was sent for approval: nothing is due then
        url=reverse("plan_work", args=["approve"]),
    )


def returned_to_me(actor: Any) -> WorkList | None:
    from remis.assistance.queries import returned_to

    versions = returned_to(actor)
    count, more = capped_count(versions)
    if not count:
        return None
    return WorkList(
        name="plans_returned",
        title=str(_("Plans returned to me")),
        count=count,
        more=more,
        items=[_version_item(v) for v in versions[:FIRST_ROWS]],
        date_label=str(_("Submitted")),  # the day it was sent for approval: nothing is due then
        url=reverse("plan_work", args=["returned"]),
    )


def instalments_to_pay(actor: Any) -> WorkList | None:
    from remis.assistance.queries import instalments_due

    today = timezone.localdate()
    items = instalments_due(actor, today, mine=True)
    count, more = capped_count(items)
    if not count:
        return None
    return WorkList(
        name="instalments_due",
        title=str(_("Instalments due")),
        count=count,
        more=more,
        items=[
            WorkItem(
                label=_due_label(item),
                # The item's own page, where instalments are recorded: the plan page shows a
                # revision in progress instead, and its anchor for this item led nowhere.
                url=reverse("plan_item", args=[item.version.plan.case.uuid, item.pk]) + "#instalments",
                due=item.starts_on,
                # Late when nothing was paid by its start: items are paid in instalments with no
                # day of their own, so a part paid is under way, not late.
                overdue=bool(item.starts_on and item.starts_on < today and not getattr(item, "paid", 0)),
            )
            for item in items[:FIRST_ROWS]
        ],
        url=reverse("plan_work", args=["instalments"]) + "?mine=on",
        # The day is the item's planned start, from which it is to be paid: a bare day read
        # as a payment's deadline, and an overdue one showed no day at all.
        date_label=str(_("to pay from")),
    )


def _due_label(item: Any) -> str:
    left = item.amount - item.paid
    # As the reader writes it, with the currency's decimals (none for a Guinean franc).
    return f"{item.version.plan.case.reference} · {amount_text(left, item.currency)} {item.currency}"


def register() -> None:
    from remis.assistance.anonymise import coarsen_cases
    from remis.cases.events import CaseAnonymised
    from remis.cases.extensions import register_case_panel, register_work_list
    from remis.cases.lifecycle import register_guard
    from remis.lib.events import subscribe_in_transaction

    register_guard(Stage.ASSISTANCE, GUARD, needs_approved_plan)
    subscribe_in_transaction(CaseAnonymised, coarsen_cases)  # with the case, or not at all
    register_case_panel(
        CasePanel("plan", gettext_lazy("Reintegration plan"), "assistance/_panel.html", plan_panel, order=20)
    )
    register_work_list(WorkSource("plans_to_approve", awaiting_my_approval, order=20))
    register_work_list(WorkSource("plans_returned", returned_to_me, order=21))
    register_work_list(WorkSource("instalments_due", instalments_to_pay, order=22))
