from __future__ import annotations

import pytest
from django.utils import translation

from remis.assistance.tests.factories import draft_plan
from remis.cases import actions as case_actions
from remis.lib.errors import TransitionRefused

pytestmark = pytest.mark.django_db


def test_a_case_moves_to_assistance_only_with_an_approved_plan(world, case, ines):
    with pytest.raises(TransitionRefused) as raised:
        case_actions.transition_case(world.bob, case, "assistance")
    assert "approved" in raised.value.message
    draft_plan(world.bob, case)
    with translation.override("fr"), pytest.raises(TransitionRefused) as raised:
        case_actions.transition_case(world.bob, case, "assistance")
    assert "approuvé" in raised.value.message
    case.refresh_from_db()
    approved_plan_case = case
    version = approved_plan_case.plan.latest
    from remis.assistance import actions

    actions.submit_plan(world.bob, version)
    actions.approve_plan(ines, version)
    case_actions.transition_case(world.bob, case, "assistance")
    case.refresh_from_db()
    assert case.stage == "assistance"


def test_the_guard_is_registered_under_its_name():
    from remis.cases.lifecycle import guards_for

    assert "assistance.approved_plan" in [name for name, _g in guards_for("assistance")]
