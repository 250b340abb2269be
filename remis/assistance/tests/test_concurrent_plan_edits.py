"""Two people saving the same draft plan at once, each from the page they loaded: whatever
each changes (needs, goals, items, the agreement), one save wins and the other is told the
plan changed, the plan's version moves once and one audit entry is written. Every edit of a
plan version takes the version's lock the same way (`common.bump`); this runs each of them
really in parallel, on both engines."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from remis.assistance import actions
from remis.assistance.models import AssistanceItem, Goal, Need, PlanVersion
from remis.assistance.tests.factories import case_at_plan, draft_plan, pdf
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import make_world
from remis.lib.tests.races import one_won


@pytest.fixture(autouse=True)
def _shipped(shipped_assistance):
    """Every test here commits its rows, with the shipped assistance configuration."""


def _item(description: str) -> actions.ItemData:
    return actions.ItemData(
        kind="business_setup",
        modality="cash",
        amount="450",
        currency="EUR",
        description=description,
        starts_on=timezone.localdate(),
    )


SPARE = "Spare, nothing under it"  # what the removals remove (a need or goal with items is kept)


# The spare need as both editors' pages read it, before either removes it (read inside the
# race, the slower editor could find it gone before its action ran).
SPARE_NEEDS: dict[int, Need] = {}


def _spares(actor: Any, version: PlanVersion) -> None:
    """An empty need and an empty goal beside the draft's own."""
    SPARE_NEEDS[version.pk] = actions.add_need(actor, version, dimension="psychosocial", description=SPARE)
    actions.add_goal(actor, Need.objects.get(version=version, dimension="economic"), description=SPARE)


def _goal_with_items(version: PlanVersion) -> Goal:
    """The goal holding the draft's item. Distinct: once the faster editor has added an item
    under it, the join finds the goal once per item (the slower editor's read then failed
    with MultipleObjectsReturned, now and then, under two workers)."""
    return Goal.objects.filter(items__isnull=False, need__version=version).distinct().get()


# Each edit as one editor makes it: `n` tells the two editors' values apart, `seen` is the
# plan version their page was loaded at.
Edit = Callable[[Any, PlanVersion, int, int], Any]
EDITS: dict[str, Edit] = {
    "add_need": lambda actor, version, n, seen: actions.add_need(
        actor,
        PlanVersion.objects.get(pk=version.pk),
        dimension="social",
        description=f"Housing {n}",
        expected_version=seen,
    ),
    "change_need": lambda actor, version, n, seen: actions.change_need(
        actor,
        Need.objects.get(version=version, dimension="economic"),
        dimension="economic",
        description=f"No income, debts {n}",
        expected_version=seen,
    ),
    "remove_need": lambda actor, version, n, seen: actions.remove_need(
        actor,
        copy.copy(SPARE_NEEDS[version.pk]),  # each editor's own copy of the read
        expected_version=seen,
    ),
    "add_goal": lambda actor, version, n, seen: actions.add_goal(
        actor,
        Need.objects.get(version=version, dimension="economic"),
        description=f"Savings {n}",
        expected_version=seen,
    ),
    "change_goal": lambda actor, version, n, seen: actions.change_goal(
        actor,
        _goal_with_items(version),
        description=f"A shop {n}",
        expected_version=seen,
    ),
    "remove_goal": lambda actor, version, n, seen: actions.remove_goal(
        actor, Goal.objects.get(need__version=version, description=SPARE), expected_version=seen
    ),
    "add_item": lambda actor, version, n, seen: actions.add_item(
        actor,
        _goal_with_items(version),
        _item(f"Stock {n}"),
        expected_version=seen,
    ),
    "update_item": lambda actor, version, n, seen: actions.update_item(
        actor,
        AssistanceItem.objects.get(goal__need__version=version),
        _item(f"Tools {n}"),
        expected_version=seen,
    ),
    "remove_item": lambda actor, version, n, seen: actions.remove_item(
        actor, AssistanceItem.objects.get(goal__need__version=version), expected_version=seen
    ),
    "record_agreement": lambda actor, version, n, seen: actions.record_agreement(
        actor,
        PlanVersion.objects.get(pk=version.pk),
        agreed_on=timezone.localdate(),
        upload=pdf(f"signed-{n}.pdf"),
        expected_version=seen,
    ),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_two_saves_of_the_same_plan_at_once_one_wins(parallel_db, name):
    world = make_world()
    case = case_at_plan(world)
    version = draft_plan(world.bob, case, agreed=False)
    _spares(world.bob, version)
    version.refresh_from_db()
    seen = version.version
    entries = AuditEntry.objects.filter(case_uuid=case.uuid).count()
    edit = EDITS[name]
    results = parallel_db(
        lambda: edit(world.bob, version, 1, seen),
        lambda: edit(world.bob, version, 2, seen),
    )
    one_won(results)
    version.refresh_from_db()
    assert version.version == seen + 1
    assert AuditEntry.objects.filter(case_uuid=case.uuid).count() == entries + 1
