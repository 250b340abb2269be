"""Importing consents and receptions of imported cases, by the case's external ID."""

from __future__ import annotations

import io
from typing import Any

import pytest

from remis.audit.labels import ACTION_LABELS
from remis.audit.models import AuditEntry
from remis.cases.models import Consent, Reception
from remis.cases.tests.factories import make_user
from remis.cases.tests.import_files import case_row, cases_csv, rows_csv, run_import
from remis.interop.importing import Run, entity_for, temporary_report


@pytest.fixture
def paula(world: Any) -> Any:
    user = make_user("paula", world.be_office, "programme_manager", ["BE"])
    rows = [
        case_row(),
        case_row(
            external_id="LATER",
            stage="counselling",
            stage_before_closure="",
            closure_reason="",
            closed_on="",
            departure_date="",
            arrival_date="",
        ),
    ]
    assert run_import(user, world.be_office, "cases", cases_csv(rows).getvalue()).created == 2
    return user


def test_consents_are_added_once_and_a_new_statement_is_added(world: Any, paula: Any) -> None:
    rows = [
        {
            "case_external_id": "OLD-1",
            "purpose": "data_processing",
            "given": "yes",
            "given_on": "2010-01-15",
            "note": "",
        },
        {
            "case_external_id": "OLD-1",
            "purpose": "follow_up_contact",
            "given": "oui",
            "given_on": "2010-01-15",
            "note": "",
        },
    ]
    assert run_import(paula, world.be_office, "consents", rows_csv(rows)).created == 2
    assert run_import(paula, world.be_office, "consents", rows_csv(rows)).unchanged == 2
    withdrawn = [{**rows[1], "given": "no", "given_on": "2011-04-01"}]
    assert run_import(paula, world.be_office, "consents", rows_csv(withdrawn)).created == 1
    latest = Consent.objects.filter(purpose="follow_up_contact").order_by("-given_on").first()
    assert latest is not None and latest.given is False and latest.recorded_by == paula


def test_a_consent_row_names_its_problems(world: Any, paula: Any) -> None:
    rows = [
        {
            "case_external_id": "NOPE",
            "purpose": "marketing",
            "given": "maybe",
            "given_on": "15/01/2010",
            "note": "",
        }
    ]
    result = run_import(paula, world.be_office, "consents", rows_csv(rows))
    columns = {r[1] for r in result.report_rows}
    assert columns == {"case_external_id", "purpose", "given", "given_on"} and not Consent.objects.exists()


def test_a_reception_is_created_then_updated_and_audited(world: Any, paula: Any) -> None:
    row = {
        "case_external_id": "OLD-1",
        "received_on": "2010-03-03",
        "airport_pickup": "yes",
        "accommodation_nights": "2",
        "nutrition": "no",
        "pocket_money": "50",
        "pocket_money_currency": "eur",
        "onward_transport": "yes",
        "notes": "",
    }
    assert run_import(paula, world.be_office, "reception", rows_csv([row])).created == 1
    assert run_import(paula, world.be_office, "reception", rows_csv([row])).unchanged == 1
    assert (
        run_import(
            paula, world.be_office, "reception", rows_csv([{**row, "accommodation_nights": "3"}])
        ).updated
        == 1
    )
    reception = Reception.objects.get()
    assert (reception.accommodation_nights, reception.pocket_money_currency, reception.version) == (
        3,
        "EUR",
        2,
    )
    update = AuditEntry.objects.get(action="reception.import_update")
    assert update.changes == {"accommodation_nights": [2, 3]} and update.actor == paula
    assert set(AuditEntry.objects.values_list("action", flat=True)) - set(ACTION_LABELS) == set()


def test_a_reception_must_agree_with_its_case(world: Any, paula: Any) -> None:
    rows = [
        {
            "case_external_id": "LATER",
            "received_on": "2010-03-03",
            "pocket_money": "",
            "pocket_money_currency": "",
        },
        {
            "case_external_id": "OLD-1",
            "received_on": "2010-03-01",
            "pocket_money": "12,5",
            "pocket_money_currency": "",
        },
    ]
    for row in rows:
        row.update(airport_pickup="", accommodation_nights="", nutrition="", onward_transport="", notes="")
    result = run_import(paula, world.be_office, "reception", rows_csv(rows))
    problems = {(r[0], r[1]) for r in result.report_rows}
    assert problems == {("2", "case_external_id"), ("3", "received_on"), ("3", "pocket_money_currency")}
    assert not Reception.objects.exists()


def test_another_organisations_external_ids_are_not_found(world: Any, paula: Any) -> None:
    nina = make_user("nina", world.nl_office, "programme_manager", ["NL"])
    rows = [
        {
            "case_external_id": "OLD-1",
            "purpose": "data_processing",
            "given": "yes",
            "given_on": "2010-01-15",
            "note": "",
        }
    ]
    entity = entity_for("consents")
    assert entity is not None
    with temporary_report() as report:
        result = Run(entity, nina, world.nl_office, mode="valid_rows", mapping={}, report=report).read(
            io.BytesIO(rows_csv(rows)), "consents.csv"
        )
    assert result.refused == 1 and not Consent.objects.exists()
