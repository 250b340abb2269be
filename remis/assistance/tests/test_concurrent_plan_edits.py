"""Two people saving the same draft plan at once, each from the page they loaded: whatever
each changes (needs, goals, items, the agreement), one save wins and the other is told the
plan changed, the plan's version moves once and one audit entry is written. Every edit of a
plan version takes the version's lock the same way (`common.bump`); this runs each of them
really in parallel, on both engines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


def _spares(actor: Any, version: PlanVersion) -> None:
    """An empty need and an empty goal beside the draft's own."""
    actions.add_need(actor, version, dimension="psychosocial", description=SPARE)
    actions.add_goal(actor, Need.objects.get(version=version, dimension="economic"), description=SPARE)


@dataclass
class Page:
    """What one editor's page holds, read before either editor saves. (Read inside the race,
    the slower editor could find the item the faster one removed gone, or the goal the
    faster one added an item under twice in a join: an error of the test, not a conflict.)"""

    version: PlanVersion
    economic: Need
    spare_need: Need
    goal: Goal  # the goal holding the draft's item
    spare_goal: Goal
    item: AssistanceItem


def _read_page(version: PlanVersion) -> Page:
    return Page(
        version=PlanVersion.objects.get(pk=version.pk),
        economic=Need.objects.get(version=version, dimension="economic"),
        spare_need=Need.objects.get(version=version, description=SPARE),
        goal=Goal.objects.filter(items__isnull=False, need__version=version).distinct().get(),
        spare_goal=Goal.objects.get(need__version=version, description=SPARE),
        item=AssistanceItem.objects.get(goal__need__version=version),
    )


# Each edit as one editor makes it from their page: `n` tells the two editors' values apart,
# `seen` is the plan version their page was loaded at.
Edit = Callable[[Any, Page, int, int], Any]
EDITS: dict[str, Edit] = {
    "add_need": lambda actor, page, n, seen: actions.add_need(
        actor, page.version, dimension="social", description=f"Housing {n}", expected_version=seen
    ),
    "change_need": lambda actor, page, n, seen: actions.change_need(
        actor, page.economic, dimension="economic", description=f"No income, debts {n}", expected_version=seen
    ),
    "remove_need": lambda actor, page, n, seen: actions.remove_need(
        actor, page.spare_need, expected_version=seen
    ),
    "add_goal": lambda actor, page, n, seen: actions.add_goal(
        actor, page.economic, description=f"Savings {n}", expected_version=seen
    ),
    "change_goal": lambda actor, page, n, seen: actions.change_goal(
        actor, page.goal, description=f"A shop {n}", expected_version=seen
    ),
    "remove_goal": lambda actor, page, n, seen: actions.remove_goal(
        actor, page.spare_goal, expected_version=seen
    ),
    "add_item": lambda actor, page, n, seen: actions.add_item(
        actor, page.goal, _item(f"Stock {n}"), expected_version=seen
    ),
    "update_item": lambda actor, page, n, seen: actions.update_item(
        actor, page.item, _item(f"Tools {n}"), expected_version=seen
    ),
    "remove_item": lambda actor, page, n, seen: actions.remove_item(actor, page.item, expected_version=seen),
    "record_agreement": lambda actor, page, n, seen: actions.record_agreement(
        actor,
        page.version,
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
    first, second = _read_page(version), _read_page(version)  # each editor's own page
    results = parallel_db(
        lambda: edit(world.bob, first, 1, seen),
        lambda: edit(world.bob, second, 2, seen),
    )
    one_won(results)
    version.refresh_from_db()
    assert version.version == seen + 1
    assert AuditEntry.objects.filter(case_uuid=case.uuid).count() == entries + 1
