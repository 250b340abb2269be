"""Plans for tests: a case at the plan stage, approvers, and a plan built through the actions."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from remis.accounts.models import Role, User
from remis.assistance import actions
from remis.assistance.models import AssistanceItem, Plan, PlanVersion
from remis.cases import actions as case_actions
from remis.cases.models import Case
from remis.cases.tests.factories import World, make_user, only_cases_guards, returned_case


def pdf(name: str = "signed.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 synthetic signed form", "application/pdf")


def approver_role() -> str:
    """A role approving plans without managing the programme."""
    Role.objects.get_or_create(
        code="plan_approver", defaults={"name": "Plan approver", "permissions": ["case.view", "plan.approve"]}
    )
    return "plan_approver"


def make_approvers(world: World) -> tuple[User, User, User]:
    """manon and paul: programme managers at the Guinean partner; ines: an approver there."""
    manon = make_user("manon", world.gn_partner, "programme_manager", ["GN"])
    paul = make_user("paul", world.gn_partner, "programme_manager", ["GN"])
    ines = make_user("ines", world.gn_partner, approver_role(), ["GN"])
    return manon, paul, ines


def case_at_plan(world: World) -> Case:
    """A returned case received and assessed, at the plan stage (later guards lifted: the
    assessment itself is another app's business)."""
    case = returned_case(world)
    case_actions.save_reception(
        world.bob, case, expected_version=None, received_on=timezone.localdate(), airport_pickup=True
    )
    with only_cases_guards():
        for stage in ("reception", "assessment", "plan"):
            case_actions.transition_case(world.bob, case, stage)
    case.refresh_from_db()
    return case


def draft_plan(
    actor: Any, case: Case, amounts: tuple[str, ...] = ("600",), currency: str = "EUR", agreed: bool = True
) -> PlanVersion:
    plan = actions.start_plan(actor, case)
    version = plan.latest
    assert version is not None
    need = actions.add_need(actor, version, dimension="economic", description="No income since return")
    goal = actions.add_goal(actor, need, description="A small shop running within six months")
    for amount in amounts:
        actions.add_item(
            actor,
            goal,
            actions.ItemData(
                kind="business_setup",
                modality="cash",
                amount=amount,
                currency=currency,
                starts_on=timezone.localdate(),
            ),
        )
    if agreed:
        actions.record_agreement(actor, version, agreed_on=timezone.localdate(), upload=pdf())
    version.refresh_from_db()
    return version


def approved_plan(
    world: World, case: Case, approver: User, amounts: tuple[str, ...] = ("600",), currency: str = "EUR"
) -> PlanVersion:
    version = draft_plan(world.bob, case, amounts, currency)
    actions.submit_plan(world.bob, version)
    return actions.approve_plan(approver, version)


def first_item(version: PlanVersion) -> AssistanceItem:
    item = version.items.order_by("id").first()
    assert item is not None
    return item


def plan_of(case: Case) -> Plan:
    return Plan.objects.get(case=case)
