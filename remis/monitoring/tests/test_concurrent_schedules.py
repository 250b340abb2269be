"""The system keeping a case's monitoring schedule in step with its journey while people act
on the case at the same moment, each call on its own connection.

- The "returned" event handled twice at once (delivered twice, or together with an arrival
  change that schedules a case without rounds): the case gets one schedule, not two.
- Two people correcting the arrival date from the same read: one correction wins and the
  rounds move once, to its date. A date saved while the rounds are being moved for the
  date before it: the rounds end at the last date saved, each move logged once, chained.
  Rounds moved while a visit of round 1 is recorded: the visited round stays where it was
  done, or the visit, made from the round's old dates, is told the round changed.
- A case closed while a case worker records a visit, or a contact attempt that loses the
  returnee, on one of its rounds: the round that was reached stays done (or lost), the
  others stop, and the log says which rounds stopped; a round is never both.
- A case reopened twice at once (two clicks, or the event delivered twice): its rounds are
  resumed once.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import pytest

from remis.audit.models import AuditEntry
from remis.cases import actions as cases
from remis.cases.events import CaseReopened, StageChanged, TravelSaved
from remis.cases.models import Case, ReturnTravel
from remis.cases.tests.factories import make_user, returned_case
from remis.lib import events
from remis.lib.errors import Conflict, TransitionRefused
from remis.lib.tests.races import one_won
from remis.monitoring import actions
from remis.monitoring.configuration import add_months
from remis.monitoring.extensions import on_reopened, on_stage_changed, on_travel_saved
from remis.monitoring.models import ContactAttempt, FollowUp, FollowUpStatus, Visit

# Races of the system's reactions depend on how the two transactions interleave: each test
# runs a few cases, so that more than one interleaving is met on every run.
CASES = 3
MOVE_HELD_BACK = [0.0, 0.03, 0.06]  # seconds: a later start each time, for the other orders
SHIPPED_MONTHS = [3, 6, 12]  # the shipped schedule's rounds


@pytest.fixture(autouse=True)
def _shipped(shipped_monitoring: Any) -> None:
    """Every test here commits its rows, with the shipped schedule and instruments."""


@contextmanager
def undelivered(event_type: type[events.Event], handler: Callable[[Any], None]) -> Iterator[None]:
    """Monitoring's handler of `event_type` left out while the case is set up: the event was
    committed and its handling is still to come (the test then runs it, in parallel)."""
    events.unsubscribe(event_type, handler)
    try:
        yield
    finally:
        events.subscribe(event_type, handler)


def _later(seconds: float, call: Callable[[], Any]) -> Callable[[], Any]:
    """`call`, started `seconds` after the other call of the race."""

    def held_back() -> Any:
        time.sleep(seconds)
        return call()

    return held_back


def _plan(case: Case) -> list[list[Any]]:
    """The rounds as the schedule's audit entries write them."""
    return [[f.round, f.due_on.isoformat(), f.status] for f in FollowUp.objects.filter(case=case)]


def _entries(case: Case, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(case_uuid=case.uuid, action=action).order_by("id"))


def _due(arrival: dt.date | None) -> list[dt.date]:
    """The rounds' due days for a returnee who arrived on `arrival`."""
    assert arrival is not None
    return [add_months(arrival, months) for months in SHIPPED_MONTHS]


def _with_consent(world: Any) -> Case:
    case = returned_case(world)
    cases.record_consent(world.alice, case, purpose="follow_up_contact", given=True, given_on=dt.date.today())
    return case


def _save_arrival(actor: Any, case: Case, seen: int, arrival: dt.date) -> ReturnTravel:
    """A person saving the travel page they loaded at version `seen` with a new arrival."""
    return cases.save_travel(
        actor,
        Case.objects.get(pk=case.pk),
        expected_version=seen,
        departure_date=arrival - dt.timedelta(days=1),
        arrival_date=arrival,
    )


def _close(actor: Any, case: Case) -> Case:
    return cases.close_case(actor, Case.objects.get(pk=case.pk), "withdrew")


def _visit(actor: Any, read: FollowUp) -> Visit:
    """A visit recorded today from the round as the case worker read it."""
    return actions.record_visit(
        actor,
        FollowUp.objects.get(pk=read.pk),
        visited_on=dt.date.today(),
        mode="phone",
        expected_version=read.version,
        early=True,
    )


def _moved_away(actor: Any, read: FollowUp) -> ContactAttempt:
    """A call today that learns the returnee moved away (lost at once), from the round read."""
    return actions.record_contact_attempt(
        actor,
        FollowUp.objects.get(pk=read.pk),
        attempted_on=dt.date.today(),
        channel="phone",
        outcome="moved",
        expected_version=read.version,
    )


# ---- schedule_case ------------------------------------------------------------------------------


def test_the_returned_event_handled_twice_at_once_makes_one_schedule(parallel_db: Any, world: Any) -> None:
    for _case in range(CASES):
        with undelivered(StageChanged, on_stage_changed):
            case = returned_case(world)
        assert not FollowUp.objects.filter(case=case).exists()
        results = parallel_db(
            partial(actions.schedule_case, case.pk), partial(actions.schedule_case, case.pk)
        )
        assert sorted(len(r) for r in results) == [0, len(SHIPPED_MONTHS)], results
        assert [f.due_on for f in FollowUp.objects.filter(case=case)] == _due(case.arrival_date)
        (entry,) = _entries(case, "monitoring.schedule")
        assert entry.changes["rounds"] == [None, _plan(case)]


def test_the_returned_event_and_an_arrival_change_handled_at_once_make_one_schedule(
    parallel_db: Any, world: Any
) -> None:
    """A case past "returned" without rounds is scheduled by an arrival change too."""
    for _case in range(CASES):
        with undelivered(StageChanged, on_stage_changed):
            case = returned_case(world)
        results = parallel_db(
            partial(actions.schedule_case, case.pk), partial(actions.move_schedule, case.pk)
        )
        assert isinstance(results[0], list) and isinstance(results[1], int), results
        assert sorted([len(results[0]), results[1]]) == [0, len(SHIPPED_MONTHS)], results
        assert [f.due_on for f in FollowUp.objects.filter(case=case)] == _due(case.arrival_date)
        assert len(_entries(case, "monitoring.schedule")) == 1
        assert _entries(case, "monitoring.reschedule") == []


# ---- move_schedule ------------------------------------------------------------------------------


@pytest.mark.races("remis.monitoring.actions.move_schedule")
def test_two_arrival_corrections_from_one_read_move_the_rounds_once_to_the_winners_date(
    parallel_db: Any, world: Any
) -> None:
    fatou = make_user("fatou", world.be_office, "counsellor", ["BE"])
    today = dt.date.today()
    corrections = [today - dt.timedelta(days=5), today - dt.timedelta(days=9)]
    for _case in range(CASES):
        case = returned_case(world)
        seen = ReturnTravel.objects.get(case=case).version
        before = _plan(case)
        results = parallel_db(
            partial(_save_arrival, world.alice, case, seen, corrections[0]),
            partial(_save_arrival, fatou, case, seen, corrections[1]),
        )
        arrival = corrections[one_won(results)]
        assert Case.objects.get(pk=case.pk).arrival_date == arrival
        rounds = FollowUp.objects.filter(case=case)
        assert [f.due_on for f in rounds] == _due(arrival)
        assert {f.version for f in rounds} == {2}  # moved once
        (entry,) = _entries(case, "monitoring.reschedule")
        assert entry.changes["rounds"] == [before, _plan(case)]


def test_an_arrival_saved_while_the_rounds_move_for_the_one_before_ends_at_the_last(
    parallel_db: Any, world: Any
) -> None:
    """The handler of a committed change (to `first`) runs while someone saves `last`; each
    handler reads the date under the case's lock, so whichever runs second moves the rounds
    to `last`, or finds them there already."""
    today = dt.date.today()
    first, last = today - dt.timedelta(days=5), today - dt.timedelta(days=9)
    for _case in range(CASES):
        case = returned_case(world)
        original = _plan(case)
        with undelivered(TravelSaved, on_travel_saved):
            _save_arrival(world.alice, case, ReturnTravel.objects.get(case=case).version, first)
        seen = ReturnTravel.objects.get(case=case).version
        results = parallel_db(
            partial(actions.move_schedule, case.pk),
            partial(_save_arrival, world.alice, case, seen, last),
        )
        assert isinstance(results[0], int) and isinstance(results[1], ReturnTravel), results
        rounds = FollowUp.objects.filter(case=case)
        assert [f.due_on for f in rounds] == _due(last)
        moves = _entries(case, "monitoring.reschedule")
        assert 1 <= len(moves) <= 2
        # Each move starts from where the one before left the rounds: none was lost.
        chain = [original] + [entry.changes["rounds"][1] for entry in moves]
        assert [entry.changes["rounds"][0] for entry in moves] == chain[:-1]
        assert chain[-1] == _plan(case)
        assert {f.version for f in rounds} == {1 + len(moves)}


def test_an_arrival_change_handled_twice_at_once_moves_the_rounds_once(parallel_db: Any, world: Any) -> None:
    moved = dt.date.today() - dt.timedelta(days=7)
    for _case in range(CASES):
        case = returned_case(world)
        before = _plan(case)
        with undelivered(TravelSaved, on_travel_saved):
            _save_arrival(world.alice, case, ReturnTravel.objects.get(case=case).version, moved)
        results = parallel_db(
            partial(actions.move_schedule, case.pk), partial(actions.move_schedule, case.pk)
        )
        assert sorted(results) == [0, len(SHIPPED_MONTHS)], results
        rounds = FollowUp.objects.filter(case=case)
        assert [f.due_on for f in rounds] == _due(moved) and {f.version for f in rounds} == {2}
        (entry,) = _entries(case, "monitoring.reschedule")
        assert entry.changes["rounds"] == [before, _plan(case)]


def test_rounds_moved_while_a_visit_is_recorded_leave_the_visited_round_whole(
    parallel_db: Any, world: Any, monkeypatch: Any
) -> None:
    """The rounds move for a corrected arrival while a case worker records the visit of
    round 1 from the round they read: either the visit lands first (the done round stays
    where it was done; the others move) or the move does (round 1 moves and the visit, made
    from the round's old dates, is told it changed). Either way the round is written once.

    The visit's audit entry is written a little late (as under load) and the move starts
    a little later each time (`MOVE_HELD_BACK`), so that it also reads the rounds while the
    visit holds round 1 uncommitted: the moment at which a move that did not lock the
    rounds wrote its stale read back over the visited round."""
    record = actions.record

    def late_record(actor: Any, action: str, obj: Any, **kw: Any) -> Any:
        if action == "monitoring.visit":
            time.sleep(0.1)
        return record(actor, action, obj, **kw)

    monkeypatch.setattr(actions, "record", late_record)
    fanta = make_user("fanta", world.gn_partner, "case_worker", ["GN"])
    today = dt.date.today()
    corrected = today - dt.timedelta(days=7)
    for wait in MOVE_HELD_BACK:
        case = _with_consent(world)
        first = FollowUp.objects.get(case=case, round=1)
        with undelivered(TravelSaved, on_travel_saved):
            _save_arrival(world.alice, case, ReturnTravel.objects.get(case=case).version, corrected)
        results = parallel_db(
            _later(wait, partial(actions.move_schedule, case.pk)), partial(_visit, fanta, first)
        )
        visited = isinstance(results[1], Visit)
        # Moved first: all three rounds moved. Visited first: the two others.
        assert (results[0], type(results[1])) == ((2, Visit) if visited else (3, Conflict)), results
        round_one = FollowUp.objects.get(pk=first.pk)
        assert round_one.version == first.version + 1
        if visited:
            assert (round_one.status, round_one.due_on) == (FollowUpStatus.DONE, first.due_on)
        else:
            assert (round_one.status, round_one.due_on) == (FollowUpStatus.SCHEDULED, _due(corrected)[0])
        assert Visit.objects.filter(case=case).count() == len(_entries(case, "monitoring.visit")) == visited
        others = FollowUp.objects.filter(case=case, round__gt=1)
        assert [f.due_on for f in others] == _due(corrected)[1:]
        (entry,) = _entries(case, "monitoring.reschedule")
        assert [r[:2] for r in entry.changes["rounds"][1]] == [r[:2] for r in _plan(case)]


# ---- stop_schedule ------------------------------------------------------------------------------


def _assert_stopped_but(case: Case, reached: FollowUp | None, status: str) -> None:
    """Every round stopped, except `reached` (a visit or an attempt landed on it before the
    closure): that one kept `status`. The stop's audit entry names exactly the rounds it
    stopped."""
    rounds = {f.round: f.status for f in FollowUp.objects.filter(case=case)}
    kept = {reached.round} if reached else set()
    assert rounds == {n: status if n in kept else FollowUpStatus.STOPPED for n in rounds}, rounds
    (entry,) = _entries(case, "monitoring.stop")
    assert entry.changes["rounds"] == [sorted(set(rounds) - kept)] * 2


# What lands on round 1 as the case is closed: a visit leaves it done, an attempt that finds
# the returnee moved away leaves it lost (reopening would otherwise schedule it again).
ON_ROUND_ONE: dict[str, tuple[Any, type[Visit | ContactAttempt], str, str]] = {
    "visit": (_visit, Visit, "monitoring.visit", FollowUpStatus.DONE),
    "moved away": (_moved_away, ContactAttempt, "monitoring.contact_attempt", FollowUpStatus.LOST),
}


@pytest.mark.races("remis.monitoring.actions.stop_schedule")
@pytest.mark.parametrize("recorded", list(ON_ROUND_ONE))
def test_a_case_closed_while_round_one_is_recorded_keeps_what_was_recorded(
    parallel_db: Any, world: Any, recorded: str
) -> None:
    record, model, action, status = ON_ROUND_ONE[recorded]
    fanta = make_user("fanta", world.gn_partner, "case_worker", ["GN"])
    for _case in range(CASES):
        case = _with_consent(world)
        first = FollowUp.objects.get(case=case, round=1)
        results = parallel_db(
            partial(_close, world.bob, case),
            partial(record, fanta, first),
        )
        assert isinstance(results[0], Case), results
        assert isinstance(results[1], model | TransitionRefused), results  # too late: stopped
        landed = isinstance(results[1], model)
        assert model._default_manager.filter(case=case).count() == int(landed)
        assert len(_entries(case, action)) == int(landed)
        _assert_stopped_but(case, first if landed else None, status)


# ---- resume_schedule ----------------------------------------------------------------------------


def _closed(world: Any) -> Case:
    case = returned_case(world)
    cases.close_case(world.bob, case, "withdrew")
    assert {f.status for f in FollowUp.objects.filter(case=case)} == {FollowUpStatus.STOPPED}
    return Case.objects.get(pk=case.pk)


def _assert_resumed_once(case: Case) -> None:
    assert {f.status for f in FollowUp.objects.filter(case=case)} == {FollowUpStatus.SCHEDULED}
    (entry,) = _entries(case, "monitoring.resume")
    assert entry.changes["rounds"] == [[1, 2, 3], [1, 2, 3]]


@pytest.mark.races("remis.monitoring.actions.resume_schedule")
def test_a_case_reopened_twice_at_once_resumes_its_rounds_once(parallel_db: Any, world: Any) -> None:
    fanta = make_user("fanta", world.gn_partner, "case_worker", ["GN"])
    for _case in range(CASES):
        case = _closed(world)
        moves = len(_entries(case, "case.transition"))
        pages = [Case.objects.get(pk=case.pk) for _person in range(2)]  # both loaded the closed case
        results = parallel_db(
            partial(cases.reopen_case, world.bob, pages[0], "Came back to the office"),
            partial(cases.reopen_case, fanta, pages[1], "Called the hotline"),
        )
        one_won(results)
        assert Case.objects.get(pk=case.pk).stage == "returned"
        assert len(_entries(case, "case.transition")) == moves + 1  # one reopening
        _assert_resumed_once(case)


def test_the_reopened_event_handled_twice_at_once_resumes_the_rounds_once(
    parallel_db: Any, world: Any
) -> None:
    for _case in range(CASES):
        case = _closed(world)
        with undelivered(CaseReopened, on_reopened):
            cases.reopen_case(world.bob, case, "Came back to the office")
        results = parallel_db(
            partial(actions.resume_schedule, case.pk), partial(actions.resume_schedule, case.pk)
        )
        assert sorted(results) == [0, len(SHIPPED_MONTHS)], results
        _assert_resumed_once(case)
