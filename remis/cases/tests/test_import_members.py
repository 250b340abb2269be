"""Importing household members by the organisation's identifiers of the case and the person:
added once (household size and search follow), updated when changed, unchanged when
imported again; bad rows refused naming their column; an erased person never comes back."""

from __future__ import annotations

from typing import Any

import pytest

from remis.audit.labels import ACTION_LABELS
from remis.audit.models import AuditEntry
from remis.cases.models import Case, CaseAccess, Person, PersonReference
from remis.cases.queries import search_condition
from remis.cases.tests.factories import erase, make_user
from remis.cases.tests.import_files import case_row, cases_csv, rows_csv, run_import


@pytest.fixture
def paula(world: Any) -> Any:
    user = make_user("paula", world.be_office, "programme_manager", ["BE"])
    rows = [case_row(external_id="OLD-1"), case_row(external_id="OLD-2", given_name="Aminata")]
    assert run_import(user, world.be_office, "cases", cases_csv(rows).getvalue()).created == 2
    return user


def member(**values: str) -> dict[str, str]:
    row = {
        "case_external_id": "OLD-1",
        "member_external_id": "OLD-1-2",
        "relation": "child",
        "given_name": "Ousmane",
        "family_name": "Testperson",
        "sex": "M",
        "date_of_birth": "2008-02-11",
    }
    row.update(values)
    return row


def _case(key: str) -> Case:
    return Case.objects.get(pk=CaseAccess.objects.get(external_id=key).case_id)


def test_members_are_added_once_updated_when_changed_and_found_by_search(world: Any, paula: Any) -> None:
    rows = [member(), member(member_external_id="OLD-1-3", relation="spouse", given_name="Kadiatou", sex="F")]
    result = run_import(paula, world.be_office, "household_members", rows_csv(rows))
    assert (result.created, result.refused) == (2, 0), result.report_rows
    case = _case("OLD-1")
    assert case.household_size == 3 and case.members.count() == 3
    assert Case.objects.filter(search_condition("Ousmane")).get() == case
    entries = AuditEntry.objects.filter(action="person.import", case_uuid=case.uuid)
    assert entries.count() == 3  # the principal's, from the cases file, and the two members'
    again = run_import(paula, world.be_office, "household_members", rows_csv(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert case.members.count() == 3

    rows[0]["family_name"] = "Corrected"
    rows[1]["relation"] = "parent"
    changed = run_import(paula, world.be_office, "household_members", rows_csv(rows))
    assert (changed.updated, changed.unchanged) == (2, 0)
    ousmane = PersonReference.objects.get(external_id="OLD-1-2").person
    assert ousmane.family_name == "Corrected" and ousmane.version == 2
    assert case.members.get(person__given_name="Kadiatou").relation == "parent"
    assert AuditEntry.objects.filter(action="person.import_update").count() == 2
    assert set(AuditEntry.objects.values_list("action", flat=True)) - set(ACTION_LABELS) == set()


def test_bad_rows_are_refused_naming_their_column(world: Any, paula: Any) -> None:
    run_import(paula, world.be_office, "household_members", rows_csv([member()]))
    rows = [
        member(case_external_id="NOPE", member_external_id="A"),
        member(member_external_id="B", relation="principal"),
        member(member_external_id=""),
        member(member_external_id="C", date_of_birth="2008-02-30"),
        member(member_external_id="D"),
        member(member_external_id="D", given_name="Twice"),
        member(case_external_id="OLD-2"),  # OLD-1-2 belongs to the case OLD-1
    ]
    result = run_import(paula, world.be_office, "household_members", rows_csv(rows))
    refused = {(int(r[0]), r[1]) for r in result.report_rows}
    assert refused == {
        (2, "case_external_id"),
        (3, "relation"),
        (4, "member_external_id"),
        (5, "date_of_birth"),
        (7, "member_external_id"),
        (8, "member_external_id"),
    }
    assert result.created == 1  # D, once
    assert _case("OLD-2").household_size == 1


def test_an_erased_member_is_not_imported_again(world: Any, paula: Any) -> None:
    run_import(paula, world.be_office, "household_members", rows_csv([member()]))
    ousmane = PersonReference.objects.get(external_id="OLD-1-2").person
    erase(world, _case("OLD-1"), ousmane, "data_subject_request")
    result = run_import(paula, world.be_office, "household_members", rows_csv([member()]))
    assert result.refused == 1 and result.report_rows[0][1] == "member_external_id"
    assert Person.objects.filter(given_name="Ousmane").count() == 0


def test_an_erased_principal_is_not_imported_again(world: Any, paula: Any) -> None:
    case = _case("OLD-1")
    erase(world, case, case.principal, "recorded_in_error")
    again = run_import(paula, world.be_office, "cases", cases_csv([case_row(external_id="OLD-1")]).getvalue())
    assert again.refused == 1 and again.report_rows[0][1] == "external_id"
    assert Person.objects.get(pk=case.principal_id).given_name == "—"
