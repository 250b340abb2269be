"""Two people changing one framework at the same moment, on separate connections: one new
version is started, one activation wins, one of two edits from one read is kept; the other
is told, never silently overwritten."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

import pytest

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


def _add(actor: Any, draft: Framework, model: Indicator) -> Any:
    """A copy of one of the draft's indicators under a new code."""
    values = {name: getattr(model, name) for name in actions.INDICATOR_FIELDS}
    return actions.add_indicator(actor, draft, {**values, "code": f"NEW-{draft.number}"})


def _update(actor: Any, draft: Framework, indicator: Indicator) -> Any:
    return actions.update_indicator(
        actor, indicator, {"name": f"{indicator.name} (revised)"}, indicator.version
    )


def _remove(actor: Any, draft: Framework, indicator: Indicator) -> Any:
    return actions.remove_indicator(actor, indicator)


DRAFT_EDITS = {"indicator_add": _add, "indicator_update": _update, "indicator_remove": _remove}


@pytest.mark.parametrize("edit", sorted(DRAFT_EDITS))
def test_an_indicator_edited_while_the_draft_is_activated_is_never_edited_after(
    edit: str, parallel_db: Any, world: Any
) -> None:
    """An edit of a draft's indicators from the page read before its activation: made
    before the activation (and part of the version activated) or refused; never written
    into the version once it is active. Each order is met: the edit or the activation is
    held back a little in turn."""
    core = _core()
    for round_, (edit_delay, activate_delay) in enumerate([(0, 0), (0.05, 0), (0, 0.05)]):
        if round_:  # the next draft, from the version just activated
            core = Framework.objects.get(code="avrr-core", status=FrameworkStatus.ACTIVE)
        draft = actions.new_version(world.carol, core)
        read = Framework.objects.get(pk=draft.pk)  # the page, as loaded before the activation
        # One of its indicators, as the page shows it (an earlier round may have removed another).
        shown = Indicator.objects.select_related("framework").filter(framework=draft).first()

        def edited(read: Framework = read, shown: Any = shown, delay: float = edit_delay) -> Any:
            time.sleep(delay)
            return DRAFT_EDITS[edit](world.carol, read, shown)

        def activated(draft: Framework = draft, delay: float = activate_delay) -> Any:
            time.sleep(delay)
            return actions.activate(world.carol, Framework.objects.get(pk=draft.pk), draft.version)

        start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
        outcome, activation = parallel_db(edited, activated)
        assert activation is None, activation
        assert not isinstance(outcome, BaseException) or isinstance(outcome, TransitionRefused), outcome
        activated_at = AuditEntry.objects.get(action="indicators.framework_activate", id__gt=start).id
        logged = AuditEntry.objects.filter(action=f"indicators.{edit}", id__gt=start)
        assert not logged.filter(id__gt=activated_at).exists(), (edit, round_)
        assert logged.exists() != isinstance(outcome, TransitionRefused), (edit, round_, outcome)
