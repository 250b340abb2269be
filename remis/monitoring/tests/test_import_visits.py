"""Importing monitoring visits of imported cases: a 2010 return's visits are recorded as
they were (their rounds created done, no other round, so nothing is "missed"); the same
file again changes nothing; a changed row updates its visit; rows without consent, before
the arrival, of a round the schedule lacks or given twice are refused naming the column."""

from __future__ import annotations

from typing import Any

import pytest

from remis.audit.labels import ACTION_LABELS
from remis.audit.models import AuditEntry
from remis.cases.models import CaseAccess
from remis.cases.tests.factories import make_user
from remis.cases.tests.import_files import case_row, cases_csv, rows_csv, run_import
from remis.monitoring.models import FollowUp, FollowUpStatus, Visit


@pytest.fixture
def paula(world: Any) -> Any:
    user = make_user("paula", world.be_office, "programme_manager", ["BE"])
    cases = [case_row(external_id="OLD-1"), case_row(external_id="OLD-2", given_name="Aminata")]
    assert run_import(user, world.be_office, "cases", cases_csv(cases).getvalue()).created == 2
    consent = {
        "case_external_id": "OLD-1",
        "purpose": "follow_up_contact",
        "given": "yes",
        "given_on": "2010-01-15",
    }
    assert run_import(user, world.be_office, "consents", rows_csv([consent])).created == 1
    return user


def visit(**values: str) -> dict[str, str]:
    row = {"case_external_id": "OLD-1", "round": "1", "visited_on": "2010-06-10", "mode": "phone", "note": ""}
    row.update(values)
    return row


def test_visits_of_a_historic_case_are_recorded_as_they_were(world: Any, paula: Any) -> None:
    rows = [visit(), visit(round="3", visited_on="2011-03-01", mode="in_person")]
    result = run_import(paula, world.be_office, "visits", rows_csv(rows))
    assert (result.created, result.refused) == (2, 0), result.report_rows
    case_id = CaseAccess.objects.get(external_id="OLD-1").case_id
    rounds = {f.round: f for f in FollowUp.objects.filter(case_id=case_id)}
    assert set(rounds) == {1, 3}  # round 2 was not given: it is not created, nor "missed"
    assert all(f.status == FollowUpStatus.DONE for f in rounds.values())
    assert str(rounds[3].done_on) == "2011-03-01" and str(rounds[1].due_on) == "2010-06-03"
    assert Visit.objects.get(follow_up=rounds[1]).mode == "phone"
    assert AuditEntry.objects.filter(action="monitoring.visit_import").count() == 2

    again = run_import(paula, world.be_office, "visits", rows_csv(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    rows[0]["mode"] = "remote"
    changed = run_import(paula, world.be_office, "visits", rows_csv(rows))
    assert (changed.updated, changed.unchanged) == (1, 1)
    assert Visit.objects.get(follow_up=rounds[1]).mode == "remote"
    assert set(AuditEntry.objects.values_list("action", flat=True)) - set(ACTION_LABELS) == set()


def test_bad_rows_are_refused_naming_their_column(world: Any, paula: Any) -> None:
    rows = [
        visit(case_external_id="OLD-2"),  # no consent to follow-up contact
        visit(visited_on="2010-03-01"),  # before the arrival (2010-03-03)
        visit(round="9"),  # the schedule has three rounds
        visit(round="x"),
        visit(mode="by_pigeon"),
        visit(round="2", visited_on="2010-09-01"),
        visit(round="2", visited_on="2010-09-09"),  # round 2 twice
        visit(case_external_id="NOPE"),
        visit(round="3"),  # in round 1's window: that round's visit
        visit(round="3", visited_on="2010-12-20"),  # months before round 3's window: closed early
    ]
    result = run_import(paula, world.be_office, "visits", rows_csv(rows))
    refused = {(int(r[0]), r[1]) for r in result.report_rows}
    assert refused == {
        (2, "case_external_id"),
        (3, "visited_on"),
        (4, "round"),
        (5, "round"),
        (6, "mode"),
        (8, "round"),
        (9, "case_external_id"),
        (10, "round"),
        (11, "visited_on"),
    }
    assert result.created == 1
    messages = {(int(r[0]), r[1]): r[3] for r in result.report_rows}
    assert messages[(6, "mode")] == "Choose one of: in_person, phone, remote, partner."  # the codes


def test_an_open_case_imported_past_its_return_gets_the_rounds_still_ahead(world: Any, paula: Any) -> None:
    """Imported at "monitoring", a case got no round at all: nothing due, nothing on the
    follow-ups list. A round whose window closed before the import is left out (it would
    read "missed" at once); the historic, closed cases still get none."""
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    arrived = today - dt.timedelta(days=200)
    row = case_row(
        external_id="CUR-1",
        stage="monitoring",
        stage_before_closure="",
        closure_reason="",
        closed_on="",
        registered_on=(arrived - dt.timedelta(days=60)).isoformat(),
        departure_date=(arrived - dt.timedelta(days=1)).isoformat(),
        arrival_date=arrived.isoformat(),
    )
    assert run_import(paula, world.be_office, "cases", cases_csv([row]).getvalue()).created == 1
    case_id = CaseAccess.objects.get(external_id="CUR-1").case_id
    rounds = {f.round: f for f in FollowUp.objects.filter(case_id=case_id)}
    assert set(rounds) == {2, 3}  # round 1's window closed about 80 days ago
    assert all(f.status == FollowUpStatus.SCHEDULED and f.window_end >= today for f in rounds.values())
    assert AuditEntry.objects.filter(action="monitoring.schedule", case_uuid__isnull=False).count() == 1
    old = CaseAccess.objects.get(external_id="OLD-1").case_id
    assert not FollowUp.objects.filter(case_id=old).exists()
    # The file again schedules nothing more.
    assert run_import(paula, world.be_office, "cases", cases_csv([row]).getvalue()).unchanged == 1
    assert FollowUp.objects.filter(case_id=case_id).count() == 2


def test_consent_is_judged_on_the_day_of_the_visit(world: Any, paula: Any) -> None:
    """A 2010 visit was refused because the returnee withdrew their consent in 2011: it was
    made while consent was in force. One made after the withdrawal still is refused."""
    withdrawal = {
        "case_external_id": "OLD-1", "purpose": "follow_up_contact", "given": "no", "given_on": "2011-01-01",
    }  # fmt: skip
    assert run_import(paula, world.be_office, "consents", rows_csv([withdrawal])).created == 1
    rows = [visit(), visit(round="3", visited_on="2011-03-01")]
    result = run_import(paula, world.be_office, "visits", rows_csv(rows))
    assert result.created == 1
    assert [(r[0], r[1]) for r in result.report_rows] == [("3", "case_external_id")]
