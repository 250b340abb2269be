"""Two approvers deciding on the same plan at once: only one decision wins."""

from __future__ import annotations

import pytest

from remis.assistance import actions
from remis.assistance.models import Approval, PlanStatus, PlanVersion
from remis.assistance.tests.factories import case_at_plan, draft_plan, make_approvers
from remis.cases.tests.factories import make_world
from remis.lib.errors import DomainError


@pytest.fixture(autouse=True)
def _shipped(shipped_assistance):
    """Every test here commits its rows, with the shipped assistance configuration."""


def test_an_approval_and_a_return_at_once_cannot_both_win(parallel_db):
    world = make_world()
    manon, paul, _ines = make_approvers(world)
    case = case_at_plan(world)
    version = draft_plan(world.bob, case)
    actions.submit_plan(world.bob, version)
    results = parallel_db(
        lambda: actions.approve_plan(manon, PlanVersion.objects.get(pk=version.pk)),
        lambda: actions.return_plan(paul, PlanVersion.objects.get(pk=version.pk), comment="Too vague"),
    )
    assert sum(isinstance(r, DomainError) for r in results) == 1
    version.refresh_from_db()
    assert Approval.objects.filter(version=version).count() == 1
    decision = Approval.objects.get(version=version)
    assert version.status == (PlanStatus.APPROVED if decision.decision == "approved" else PlanStatus.RETURNED)


def test_two_approvals_at_once_of_a_one_approver_plan_record_one(parallel_db):
    world = make_world()
    manon, paul, _ines = make_approvers(world)
    case = case_at_plan(world)
    version = draft_plan(world.bob, case)
    actions.submit_plan(world.bob, version)
    results = parallel_db(
        lambda: actions.approve_plan(manon, PlanVersion.objects.get(pk=version.pk)),
        lambda: actions.approve_plan(paul, PlanVersion.objects.get(pk=version.pk)),
    )
    assert sum(isinstance(r, DomainError) for r in results) == 1
    assert Approval.objects.filter(version=version).count() == 1
