"""Later stages extend the journey without the cases app importing them: a registered
guard can refuse a move with its reason; a stage hook runs in the moving transaction."""

from __future__ import annotations

import datetime as dt

import pytest

from remis.cases import actions, lifecycle
from remis.cases.lifecycle import Stage
from remis.cases.models import Case, Transition
from remis.cases.tests.factories import make_person
from remis.lib.errors import TransitionRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    """Guards and hooks registered by a test are removed after it."""
    names: list[str] = []
    yield names
    for name in names:
        lifecycle.unregister(name)


def test_a_registered_guard_refuses_a_move_with_its_reason(world, alice, registry):
    from remis.cases.tests.factories import register

    case = register(world)
    registry.append("test.no_counselling_on_fridays")
    lifecycle.register_guard(Stage.COUNSELLING, registry[-1], lambda c: "Not on Fridays.")
    with pytest.raises(TransitionRefused, match="Not on Fridays"):
        actions.transition_case(alice, case, "counselling", expected_version=case.version)
    assert Case.objects.get(pk=case.pk).stage == "registered"
    lifecycle.unregister(registry[-1])
    actions.transition_case(alice, case, "counselling", expected_version=case.version)
    assert Case.objects.get(pk=case.pk).stage == "counselling"


def test_a_stage_hook_runs_when_a_case_enters_its_stage(world, alice, registry):
    from remis.cases.tests.factories import register

    entered: list[tuple[int, str]] = []
    registry.append("test.hook")
    lifecycle.register_stage_hook(
        Stage.COUNSELLING, registry[-1], lambda actor, c: entered.append((c.pk, c.stage))
    )
    case = register(world)
    actions.transition_case(alice, case, "counselling", expected_version=case.version)
    assert entered == [(case.pk, "counselling")]


def test_a_case_registered_at_returned_runs_the_returned_hooks(world, bob, registry, today):
    from remis.programmes.models import MigrantCategory

    entered: list[int] = []
    registry.append("test.returned")
    lifecycle.register_stage_hook(Stage.RETURNED, registry[-1], lambda actor, c: entered.append(c.pk))
    case = actions.open_post_arrival_case(
        bob,
        world.gn_partner,
        programme=world.programme,
        category=MigrantCategory.objects.get(code="stranded_migrant"),
        host_country="BE",
        origin_country="GN",
        arrival_date=today - dt.timedelta(days=3),
        person=make_person(),
    )
    assert entered == [case.pk]


def test_a_failing_hook_undoes_the_move(world, alice, registry):
    from remis.cases.tests.factories import register

    def refuse(actor, case):
        raise RuntimeError("schedule could not be created")

    registry.append("test.failing")
    lifecycle.register_stage_hook(Stage.COUNSELLING, registry[-1], refuse)
    case = register(world)
    with pytest.raises(RuntimeError):
        actions.transition_case(alice, case, "counselling", expected_version=case.version)
    assert Case.objects.get(pk=case.pk).stage == "registered"
    assert not Transition.objects.filter(case=case, to_stage="counselling").exists()


def test_submission_and_post_arrival_machines_allow_only_their_moves():
    assert lifecycle.can_change(lifecycle.SUBMISSION_TRANSITIONS, "pending", "accepted")
    assert not lifecycle.can_change(lifecycle.SUBMISSION_TRANSITIONS, "rejected", "accepted")
    assert not lifecycle.can_change(lifecycle.SUBMISSION_TRANSITIONS, "accepted", "rejected")
    assert lifecycle.can_change(lifecycle.POST_ARRIVAL_TRANSITIONS, "pending", "confirmed")
    assert not lifecycle.can_change(lifecycle.POST_ARRIVAL_TRANSITIONS, "n/a", "confirmed")
