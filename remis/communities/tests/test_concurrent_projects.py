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


def test_a_returnee_added_while_the_end_moves_before_their_day_is_never_both(
    parallel_db: Any, world: Any
) -> None:
    """The edit holds the returnees against its dates under the project's lock, which adding
    one takes too: never a project ending before a returnee joined it."""
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    for round_ in range(ROUNDS):
        project = actions.create_project(world.bob, valid_values(name=f"Nursery {round_}"))
        case = returned_case(world)
        version = project.version

        def end(version: int = version, pk: int = project.pk) -> Any:
            mine = CommunityProject.objects.get(pk=pk)
            values = valid_values(status="completed", end_date=today - dt.timedelta(days=1))
            return actions.update_project(world.bob, mine, values, version)

        def add(reference: str = case.reference, pk: int = project.pk) -> Any:
            return actions.add_participant(world.bob, CommunityProject.objects.get(pk=pk), reference, today)

        results = parallel_db(end, add)
        assert sum(not isinstance(r, Exception) for r in results) == 1, results
        stored = CommunityProject.objects.get(pk=project.pk)
        joined = Participant.objects.filter(project=project).values_list("joined_on", flat=True)
        assert stored.end_date is None or all(day <= stored.end_date for day in joined), results
