from __future__ import annotations

import pytest

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
