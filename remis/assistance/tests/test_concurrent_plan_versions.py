"""Two case workers opening a new version of the same approved plan at once, each from the
plan page they loaded (or one of them clicking twice): one new draft version is opened,
holding one copy of the approved version's needs, goals and items; the other is told a
version is already open, cleanly. The plan's latest version is that draft, the approved
version stays in force, and the audit log has one entry for the opening."""

from __future__ import annotations

import pytest

from remis.assistance import actions
from remis.assistance.models import AssistanceItem, Goal, Need, Plan, PlanStatus, PlanVersion
from remis.assistance.tests.factories import approved_plan, case_at_plan, make_approvers
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import make_user, make_world
from remis.lib.errors import Conflict, TransitionRefused

ROUNDS = 3  # the race is won at random: a few plans, each opened twice at once


@pytest.fixture(autouse=True)
def _shipped(shipped_assistance):
    """Every test here commits its rows, with the shipped assistance configuration."""


def test_two_people_opening_a_new_version_of_an_approved_plan_at_once_open_one(parallel_db):
    world = make_world()
    _manon, _paul, ines = make_approvers(world)
    fanta = make_user("fanta", world.gn_partner, "case_worker", ["GN"])
    for _round in range(ROUNDS):
        approved = approved_plan(world, case_at_plan(world), ines, ("400", "200"))
        case = approved.plan.case
        # Each loaded the plan page before either opened a version.
        plans = [Plan.objects.get(pk=approved.plan_id), Plan.objects.get(pk=approved.plan_id)]
        results = parallel_db(
            lambda plan=plans[0]: actions.open_new_version(world.bob, plan, reason="The shop needs a fridge"),
            lambda plan=plans[1]: actions.open_new_version(fanta, plan, reason="More stock"),
        )
        opened = [r for r in results if isinstance(r, PlanVersion)]
        refused = [r for r in results if not isinstance(r, PlanVersion)]
        # The other was told the plan changed (it waited for the first), or that a version is
        # open (it read the plan after): never an unexpected error, such as a second version 2
        # breaking the plan's numbering.
        assert len(opened) == 1 and len(refused) == 1, results
        assert isinstance(refused[0], Conflict | TransitionRefused), refused
        versions = PlanVersion.objects.filter(plan=approved.plan_id).order_by("number")
        assert [(v.number, v.status) for v in versions] == [(1, PlanStatus.APPROVED), (2, PlanStatus.DRAFT)]
        draft = versions.get(number=2)
        assert draft.pk == opened[0].pk
        plan = Plan.objects.get(pk=approved.plan_id)
        assert (plan.latest_id, plan.in_force_id) == (draft.pk, approved.pk)
        # One copy of the approved version: as many needs, goals and items, with the same keys.
        assert Need.objects.filter(version=draft).count() == Need.objects.filter(version=approved).count()
        assert (
            Goal.objects.filter(need__version=draft).count()
            == Goal.objects.filter(need__version=approved).count()
        )
        keys = sorted(AssistanceItem.objects.filter(version=draft).values_list("key", flat=True))
        assert keys == sorted(AssistanceItem.objects.filter(version=approved).values_list("key", flat=True))
        assert len(keys) == 2
        entries = AuditEntry.objects.filter(action="assistance.version_open", case_uuid=case.uuid)
        assert list(entries.values_list("object_id", flat=True)) == [str(draft.pk)]
        assert entries.get().actor_id == draft.drafted_by_id
