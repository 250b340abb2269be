"""Two people changing one project at the same moment, on separate connections: one edit
wins and the other is told (never a silent overwrite); one returnee is added once."""

from __future__ import annotations

from functools import partial
from typing import Any

from remis.audit.models import AuditEntry
from remis.cases.tests.factories import returned_case
from remis.communities import actions
from remis.communities.models import CommunityProject, Participant
from remis.communities.tests.conftest import valid_values
from remis.lib.errors import Conflict, ValidationFailed

ROUNDS = 3


def test_two_edits_from_one_read_never_both_win(parallel_db: Any, world: Any) -> None:
    project = actions.create_project(world.bob, valid_values())
    for round_ in range(ROUNDS):
        read = CommunityProject.objects.get(pk=project.pk)
        version = read.version

        def edit(name: str, version: int = version) -> Any:
            mine = CommunityProject.objects.get(pk=project.pk)
            return actions.update_project(world.bob, mine, {"name": name}, version)

        results = parallel_db(partial(edit, f"First {round_}"), partial(edit, f"Second {round_}"))
        wins = [r for r in results if isinstance(r, dict)]
        assert len(wins) == 1 and any(isinstance(r, Conflict) for r in results), results
        stored = CommunityProject.objects.get(pk=project.pk)
        assert stored.version == version + 1 and stored.name == wins[0]["name"][1]
    assert AuditEntry.objects.filter(action="communities.project_update").count() == ROUNDS


def test_one_returnee_added_twice_at_once_takes_part_once(parallel_db: Any, world: Any) -> None:
    project = actions.create_project(world.bob, valid_values())
    case = returned_case(world)
    results = parallel_db(
        lambda: actions.add_participant(world.bob, project, case.reference),
        lambda: actions.add_participant(world.bob, project, case.reference),
    )
    assert sum(isinstance(r, Participant) for r in results) == 1, results
    assert any(isinstance(r, ValidationFailed) for r in results), results
    assert Participant.objects.filter(project=project, case=case).count() == 1
    assert AuditEntry.objects.filter(action="communities.participant_add").count() == 1
