"""Two M&E managers acting on one indicator framework at the same moment, each from the page
they loaded, on separate connections (new versions, activations and indicator edits are
raced in test_concurrent_frameworks.py).

- Both save the draft's name and description: one save is kept whole, the other is told
  the framework changed; the version moves once and one change is logged.
- One saves the draft while the other activates it: either the edit is kept and the draft
  stays a draft, or the activation is (the old version retired with it) and the edit is
  refused; never both, never a deadlock.
- Both retire the active version: it is retired once.
- One retires the active version while the other activates the draft that replaces it
  (which retires the same version): it is retired once, by one of them, and the draft is
  active. A retirement only ever applies to an active version and an edit to a draft, so
  this is how a retirement meets the editing of a framework.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.utils import timezone

from remis.audit.models import AuditEntry
from remis.cases.tests.factories import make_user
from remis.indicators import actions
from remis.indicators.configuration import seed_framework
from remis.indicators.models import Framework, FrameworkStatus, Indicator
from remis.lib.errors import Conflict
from remis.lib.tests.races import one_won

# Which of two calls commits first depends on timing: each test races a few frameworks,
# the quicker call held back a little longer each time, so that both orders are met.
HELD_BACK = [0.0, 0.01, 0.03]  # seconds, one per framework
FRAMEWORKS = len(HELD_BACK)


@pytest.fixture
def managers(parallel_db: Any, world: Any) -> tuple[Any, Any]:
    """Two people who manage indicator frameworks."""
    return world.carol, make_user("ines", world.be_office, "me_officer", ["BE"])


@pytest.fixture
def frameworks(parallel_db: Any) -> list[Framework]:
    """Active frameworks with the shipped indicators: the shipped one (stored again: the
    flush before a parallel test emptied the tables) and copies under other codes."""
    seed_framework(Framework, Indicator)
    shipped = Framework.objects.get(code="avrr-core")
    made = [shipped]
    for n in range(2, FRAMEWORKS + 1):
        copy = Framework.objects.create(
            code=f"avrr-core-{n}",
            name=f"{shipped.name} ({n})",
            description=shipped.description,
            status=FrameworkStatus.ACTIVE,
            activated_at=timezone.now(),
        )
        for indicator in shipped.indicators.all():
            indicator.pk, indicator.framework = None, copy
            indicator.save(force_insert=True)
        made.append(copy)
    return made


def _later(seconds: float, call: Callable[[], Any]) -> Callable[[], Any]:
    """`call`, started `seconds` after the other call of the race."""

    def held_back() -> Any:
        time.sleep(seconds)
        return call()

    return held_back


def _version(framework: Framework, number: int) -> Framework:
    return Framework.objects.get(code=framework.code, number=number)


def _logged(action: str, framework: Framework) -> list[AuditEntry]:
    """The entries of `action` on any version of `framework`."""
    versions = [str(pk) for pk in Framework.objects.filter(code=framework.code).values_list("pk", flat=True)]
    return list(
        AuditEntry.objects.filter(action=f"indicators.{action}", object_id__in=versions).order_by("id")
    )


def test_two_managers_saving_one_draft_from_one_read_one_wins_whole(
    parallel_db: Any, managers: tuple[Any, Any], frameworks: list[Framework]
) -> None:
    edits = [
        {"name": "Core indicators 2027", "description": "Targets revised after the mid-term review."},
        {"name": "AVRR core, revised", "description": "Adds the donor's reporting periods."},
    ]
    for framework in frameworks:
        draft = actions.new_version(managers[0], framework)
        seen, name_before, description_before = draft.version, draft.name, draft.description
        pages = [Framework.objects.get(pk=draft.pk) for _manager in managers]  # both loaded the draft
        results = parallel_db(
            partial(actions.update_framework, managers[0], pages[0], edits[0], seen),
            partial(actions.update_framework, managers[1], pages[1], edits[1], seen),
        )
        winner = edits[one_won(results)]
        stored = Framework.objects.get(pk=draft.pk)
        assert (stored.name, stored.description) == (winner["name"], winner["description"])
        assert stored.version == seen + 1 and stored.status == FrameworkStatus.DRAFT
        (entry,) = _logged("framework_update", framework)
        assert entry.object_id == str(draft.pk)
        assert entry.changes == {
            "name": [name_before, winner["name"]],
            "description": [description_before, winner["description"]],
        }


def test_a_draft_saved_while_it_is_activated_from_one_read_keeps_one_of_them(
    parallel_db: Any, managers: tuple[Any, Any], frameworks: list[Framework], monkeypatch: Any
) -> None:
    """The edit's audit entry is written a little late (as under load), so that the
    activation reaches the draft while the edit holds its row and has not yet logged: the
    moment at which the two deadlocked (the activation held the log's append lock)."""
    record = actions.record

    def late_record(actor: Any, action: str, obj: Any, **kw: Any) -> Any:
        if action == "indicators.framework_update":
            time.sleep(0.05)
        return record(actor, action, obj, **kw)

    monkeypatch.setattr(actions, "record", late_record)
    for framework, wait in zip(frameworks, HELD_BACK, strict=True):
        draft = actions.new_version(managers[0], framework)
        seen, name_before = draft.version, draft.name
        pages = [Framework.objects.get(pk=draft.pk) for _manager in managers]
        edit = partial(
            actions.update_framework, managers[0], pages[0], {"name": "Core indicators 2027"}, seen
        )
        results = parallel_db(_later(wait, edit), partial(actions.activate, managers[1], pages[1], seen))
        edited = one_won(results) == 0
        stored, previous = _version(framework, 2), _version(framework, 1)
        assert stored.version == seen + 1
        kept = ("Core indicators 2027", FrameworkStatus.DRAFT, FrameworkStatus.ACTIVE)
        activated = (name_before, FrameworkStatus.ACTIVE, FrameworkStatus.RETIRED)
        assert (stored.name, stored.status, previous.status) == (kept if edited else activated)
        logged = {
            name: len(_logged(f"framework_{name}", framework)) for name in ("update", "activate", "retire")
        }
        assert logged == {"update": int(edited), "activate": int(not edited), "retire": int(not edited)}


def test_the_active_version_retired_twice_at_once_is_retired_once(
    parallel_db: Any, managers: tuple[Any, Any], frameworks: list[Framework]
) -> None:
    for framework in frameworks:
        seen = framework.version
        pages = [Framework.objects.get(pk=framework.pk) for _manager in managers]
        results = parallel_db(
            partial(actions.retire, managers[0], pages[0], seen),
            partial(actions.retire, managers[1], pages[1], seen),
        )
        winner = managers[one_won(results)]
        stored = Framework.objects.get(pk=framework.pk)
        assert (stored.status, stored.version) == (FrameworkStatus.RETIRED, seen + 1)
        (entry,) = _logged("framework_retire", framework)
        assert entry.actor_id == winner.pk and entry.object_id == str(framework.pk)


def test_the_active_version_retired_as_its_replacement_is_activated_is_retired_once(
    parallel_db: Any, managers: tuple[Any, Any], frameworks: list[Framework]
) -> None:
    """Retired first: the activation finds no active version to retire and goes ahead.
    Activated first: the retirement, from a version that has changed since, is told so."""
    for framework, wait in zip(frameworks, HELD_BACK, strict=True):
        draft = actions.new_version(managers[0], framework)
        seen_active, seen_draft = framework.version, draft.version
        retirement = partial(actions.retire, managers[0], Framework.objects.get(pk=framework.pk), seen_active)
        results = parallel_db(
            _later(wait, retirement),
            partial(actions.activate, managers[1], Framework.objects.get(pk=draft.pk), seen_draft),
        )
        assert results[1] is None, results
        assert results[0] is None or isinstance(results[0], Conflict), results
        retired, replacement = _version(framework, 1), _version(framework, 2)
        assert (retired.status, retired.version) == (FrameworkStatus.RETIRED, seen_active + 1)
        assert (replacement.status, replacement.version) == (FrameworkStatus.ACTIVE, seen_draft + 1)
        (entry,) = _logged("framework_retire", framework)
        retired_by = managers[0] if results[0] is None else managers[1]
        assert entry.actor_id == retired_by.pk and entry.object_id == str(framework.pk)
        assert len(_logged("framework_activate", framework)) == 1
