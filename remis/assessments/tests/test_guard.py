"""No reintegration plan without a completed assessment (a lifecycle guard registered by the
assessments app, which the cases app does not import)."""

from __future__ import annotations

import pytest

from remis.assessments import actions
from remis.assessments.tests.factories import answers
from remis.cases import actions as case_actions
from remis.lib.errors import TransitionRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_assessment(world, bob, case, today):
    case_actions.save_reception(bob, case, expected_version=None, received_on=today, airport_pickup=True)
    case.refresh_from_db()
    case_actions.transition_case(bob, case, "reception")
    case_actions.transition_case(bob, case, "assessment")
    return case


def test_moving_to_the_plan_needs_a_completed_assessment(world, bob, at_assessment):
    case = at_assessment
    with pytest.raises(TransitionRefused, match="needs and vulnerability assessment"):
        case_actions.transition_case(bob, case, "plan")
    draft = actions.record_assessment(bob, case, answers())
    with pytest.raises(TransitionRefused):
        case_actions.transition_case(bob, case, "plan")
    actions.save_assessment(bob, draft, answers(), expected_version=draft.version, complete=True)
    case.refresh_from_db()
    case_actions.transition_case(bob, case, "plan")
    assert case.stage == "plan"


def test_the_refusal_is_in_the_readers_language(world, bob, at_assessment):
    from django.utils import translation

    with translation.override("fr"), pytest.raises(TransitionRefused) as raised:
        case_actions.transition_case(bob, at_assessment, "plan")
    assert "évaluation" in raised.value.message


def test_the_cases_tests_helper_lifts_this_guard_and_puts_it_back(world, bob, at_assessment):
    from remis.cases import lifecycle
    from remis.cases.tests.factories import only_cases_guards

    with only_cases_guards():
        assert "assessments.completed_assessment" not in dict(lifecycle.guards_for("plan"))
    assert "assessments.completed_assessment" in dict(lifecycle.guards_for("plan"))
    with pytest.raises(TransitionRefused):
        case_actions.transition_case(bob, at_assessment, "plan")
