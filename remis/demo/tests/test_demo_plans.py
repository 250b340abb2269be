from __future__ import annotations

import pytest
from django.utils import timezone

from remis.assistance.actions.approvals import can_be_met, possible_approvers, requirement
from remis.assistance.models import Approval, Instalment, PlanStatus, PlanVersion
from remis.demo.generator import generate_cases
from remis.demo.plans import play_plans
from remis.demo.world import build_world

pytestmark = pytest.mark.django_db


def test_demo_plans_show_every_state_with_versions_approvals_and_instalments_in_several_countries():
    build_world()
    generate_cases(900, seed=2026)  # enough cases at the plan stage without a plan yet
    played = play_plans()
    statuses = set(PlanVersion.objects.values_list("status", flat=True))
    assert statuses == set(PlanStatus.values)
    assert PlanVersion.objects.filter(number=2).exists()
    assert Approval.objects.filter(decision="returned").exists() and Instalment.objects.exists()
    assert len({case.origin_country for case in played}) >= 3
    assert {case.stage for case in played} == {"plan", "assistance", "monitoring"}
    # Every plan waiting for approval can be approved by the demo's people: plans above the
    # package need two approvers, and with one manager per office 21 of them waited for good.
    waiting = PlanVersion.objects.filter(status=PlanStatus.SUBMITTED).select_related("plan__case")
    levels = set()
    for version in waiting:
        people, managers = possible_approvers(version, {version.drafted_by_id, version.submitted_by_id})
        level = requirement(version, timezone.localdate()).level
        levels.add(level)
        assert can_be_met(level, people, managers), (version.plan.case.reference, level)
    assert 3 in levels  # a plan above the package among them
