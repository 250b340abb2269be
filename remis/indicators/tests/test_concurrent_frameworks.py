"""Two people changing one framework at the same moment, on separate connections: one new
version is started, one activation wins, one of two edits from one read is kept; the other
is told, never silently overwritten."""

from __future__ import annotations

from functools import partial
from typing import Any

from remis.audit.models import AuditEntry
from remis.indicators import actions
from remis.indicators.configuration import seed_framework
from remis.indicators.models import Framework, FrameworkStatus, Indicator
from remis.lib.errors import Conflict, TransitionRefused


def _core() -> Framework:
    seed_framework(Framework, Indicator)  # the flush before a parallel test emptied the tables
    return Framework.objects.get(code="avrr-core", status=FrameworkStatus.ACTIVE)


def test_two_new_versions_at_once_start_one_draft(parallel_db: Any, world: Any) -> None:
    core = _core()
    results = parallel_db(
        lambda: actions.new_version(world.carol, Framework.objects.get(pk=core.pk)),
        lambda: actions.new_version(world.carol, Framework.objects.get(pk=core.pk)),
    )
    assert sum(isinstance(r, Framework) for r in results) == 1, results
    assert any(isinstance(r, TransitionRefused | Conflict) for r in results), results
    assert Framework.objects.filter(code="avrr-core", status=FrameworkStatus.DRAFT).count() == 1
    assert Framework.objects.get(status=FrameworkStatus.DRAFT).indicators.count() == core.indicators.count()


def test_one_draft_activated_twice_at_once_retires_the_old_version_once(parallel_db: Any, world: Any) -> None:
    core = _core()
    draft = actions.new_version(world.carol, core)
    version = draft.version
    results = parallel_db(
        lambda: actions.activate(world.carol, Framework.objects.get(pk=draft.pk), version),
        lambda: actions.activate(world.carol, Framework.objects.get(pk=draft.pk), version),
    )
    assert sum(r is None for r in results) == 1 and any(
        isinstance(r, Conflict | TransitionRefused) for r in results
    )
    statuses = dict(Framework.objects.values_list("number", "status"))
    assert statuses == {1: FrameworkStatus.RETIRED, 2: FrameworkStatus.ACTIVE}
    assert AuditEntry.objects.filter(action="indicators.framework_retire").count() == 1


def test_two_edits_of_an_indicator_from_one_read_never_both_win(parallel_db: Any, world: Any) -> None:
    draft = actions.new_version(world.carol, _core())
    indicator = draft.indicators.get(code="RET-2")
    version = indicator.version

    def edit(target: str) -> Any:
        mine = Indicator.objects.select_related("framework").get(pk=indicator.pk)
        return actions.update_indicator(world.carol, mine, {"targets": f"2026: {target}"}, version)

    results = parallel_db(partial(edit, "50%"), partial(edit, "70%"))
    wins = [r for r in results if isinstance(r, dict)]
    assert len(wins) == 1 and any(isinstance(r, Conflict) for r in results), results
    stored = Indicator.objects.get(pk=indicator.pk)
    assert stored.version == version + 1 and stored.targets == wins[0]["targets"][1]
