"""Importing cases from a file: current and historic records, idempotency by external ID,
the modes, and the report naming row and column."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

import pytest

from remis.accounts.models import Role
from remis.audit.models import AuditEntry
from remis.cases.imports import ENTITY
from remis.cases.lifecycle import Stage
from remis.cases.models import Case, CaseAccess, Person, ReturnTravel
from remis.cases.tests.factories import make_user
from remis.cases.tests.import_files import HEADER, case_row, cases_csv
from remis.interop.importing import Run, entity_for, temporary_report
from remis.programmes.models import MigrantCategory


@pytest.fixture
def paula(world: Any) -> Any:
    """A programme manager in Belgium, who may import."""
    return make_user("paula", world.be_office, "programme_manager", ["BE"])


def _import(
    actor: Any, organisation: Any, rows: list[dict[str, str]], mode: str = "valid_rows", **kw: Any
) -> Any:
    entity = entity_for(ENTITY)
    assert entity is not None
    with temporary_report() as report:
        run = Run(entity, actor, organisation, mode=mode, mapping=kw.pop("mapping", {}), report=report)
        result = run.read(cases_csv(rows, **kw), "cases.csv")
        report.seek(0)
        result.report_rows = list(csv.reader(report))[1:]  # type: ignore[attr-defined]
    return result


def test_a_historic_closed_case_is_imported_with_its_own_dates(world: Any, paula: Any) -> None:
    result = _import(paula, world.be_office, [case_row()])
    assert (result.created, result.refused) == (1, 0)
    access = CaseAccess.objects.get(organisation=world.be_office, external_id="OLD-1")
    case = access.case
    assert case.stage == Stage.CLOSED and case.stage_before_closure == "monitoring"
    assert case.reference.startswith("GIN-2010-")
    assert case.registered_at.date() == dt.date(2010, 1, 15)
    assert case.stage_changed_at.date() == dt.date(2012, 6, 30)
    assert case.arrival_date == dt.date(2010, 3, 3)
    assert ReturnTravel.objects.get(case=case).departure_date == dt.date(2010, 3, 2)
    assert access.stage == Stage.CLOSED and access.arrival_date == dt.date(2010, 3, 3)
    assert case.principal.given_name == "Mariama" and case.members.count() == 1
    assert "mariama testperson" in case.search_text
    # One audit entry per record, by the uploading user.
    actions = set(AuditEntry.objects.filter(case_uuid=case.uuid).values_list("action", "actor_id"))
    assert actions == {("case.import", paula.pk), ("person.import", paula.pk)}
    # Its history reads each imported value by its label, in the reader's language (the
    # French history showed "external_id", "registered_on", "closed_on").
    from django.utils import translation

    from remis.audit.presentation import describe_entries

    with translation.override("fr"):
        (entry,) = describe_entries(AuditEntry.objects.filter(action="case.import"), groups=frozenset())
        labels = {line.field: str(line.label) for line in entry.changes}
    assert labels["external_id"] == "Identifiant externe" and labels["registered_on"] == "Enregistré le"
    assert labels["closed_on"] == "Clôturé le"


def test_importing_the_same_file_twice_changes_nothing(world: Any, paula: Any) -> None:
    rows = [case_row(), case_row(external_id="OLD-2", given_name="Ousmane", sex="M")]
    _import(paula, world.be_office, rows)
    entries = AuditEntry.objects.count()
    again = _import(paula, world.be_office, rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Case.objects.count() == 2 and AuditEntry.objects.count() == entries


def test_a_changed_row_updates_its_case_audited_as_an_import(world: Any, paula: Any) -> None:
    _import(paula, world.be_office, [case_row()])
    case = Case.objects.get()
    changed = case_row(phone="+224 611 11 11 11", arrival_date="2010-03-04")
    result = _import(paula, world.be_office, [changed])
    assert (result.updated, result.created) == (1, 0)
    case.refresh_from_db()
    assert case.arrival_date == dt.date(2010, 3, 4) and case.version == 2
    assert case.principal.phone == "+224 611 11 11 11"
    update = AuditEntry.objects.get(action="case.import_update")
    assert update.changes == {"arrival_date": ["2010-03-03", "2010-03-04"]}
    # The phone is audited on the person, where personal values are sealed.
    assert AuditEntry.objects.filter(action="person.import_update", object_id=str(case.principal_id)).exists()


def test_blank_cells_leave_the_stored_values(world: Any, paula: Any) -> None:
    """A mission's old sheet with empty cells, imported over cases recorded since, wiped
    their phone numbers and departure dates ("Téléphone : +000 329676 → —")."""
    _import(paula, world.be_office, [case_row(phone="+224 622 22 22 22")])
    case = Case.objects.get()
    entries = AuditEntry.objects.count()
    blanks = case_row(phone="", departure_date="", email="", address="")
    again = _import(paula, world.be_office, [blanks])
    assert (again.updated, again.unchanged) == (0, 1) and AuditEntry.objects.count() == entries
    case.refresh_from_db()
    assert case.principal.phone == "+224 622 22 22 22"
    assert ReturnTravel.objects.get(case=case).departure_date == dt.date(2010, 3, 2)
    # A returned case's travel dates left blank are kept too: the sheet of contact updates
    # was refused ("A case that has returned needs its arrival date").
    returned = case_row(external_id="OLD-R", stage="returned", stage_before_closure="", closure_reason="",
                        closed_on="")  # fmt: skip
    _import(paula, world.be_office, [returned])
    contacts = _import(paula, world.be_office, [{**returned, "departure_date": "", "arrival_date": "",
                                                 "phone": "+224 600 00 00 09"}])  # fmt: skip
    assert (contacts.updated, contacts.refused) == (1, 0), contacts.report_rows
    kept = Case.objects.get(access__external_id="OLD-R")
    assert kept.arrival_date == dt.date(2010, 3, 3) and kept.principal.phone == "+224 600 00 00 09"
    # A value given still changes the stored one, beside blanks.
    changed = _import(paula, world.be_office, [case_row(phone="", arrival_date="2010-03-04")])
    assert changed.updated == 1
    case.refresh_from_db()
    assert case.arrival_date == dt.date(2010, 3, 4) and case.principal.phone == "+224 622 22 22 22"


def test_a_closed_cases_closing_day_and_reason_are_corrected_by_import(world: Any, paula: Any) -> None:
    """A mistyped closing day on an imported closed case was refused as "an import does not
    move an existing case along its journey", and the case page only offers to reopen it:
    it could be corrected nowhere."""
    from remis.cases.models import Transition

    _import(paula, world.be_office, [case_row()])
    case = Case.objects.get()
    fixed = _import(paula, world.be_office, [case_row(closed_on="2012-04-01", closure_reason="lost_contact")])
    assert (fixed.updated, fixed.refused) == (1, 0), fixed.report_rows
    case.refresh_from_db()
    assert case.closure_reason == "lost_contact" and case.stage_changed_at.date() == dt.date(2012, 4, 1)
    closing = Transition.objects.filter(case=case, to_stage=Stage.CLOSED).get()
    assert closing.at.date() == dt.date(2012, 4, 1)
    # Moving a case along its journey stays refused.
    moved = _import(paula, world.be_office, [case_row(stage="monitoring", stage_before_closure="",
                                                     closure_reason="", closed_on="")])  # fmt: skip
    assert moved.refused == 1 and "does not move an existing case" in moved.report_rows[0][3]


def test_an_adult_is_no_unaccompanied_child_on_the_day_the_case_was_registered(
    world: Any, paula: Any
) -> None:
    """Born in 1980 and registered in 2021, a row was imported as an "unaccompanied or
    separated child"; born in 1995 and registered in 2010, it is one (an adult today)."""
    uasc = "unaccompanied_separated_child"
    rows = [
        case_row(category=uasc, date_of_birth="1980-01-01"),
        case_row(external_id="OLD-2", category=uasc, date_of_birth="1995-01-01"),
    ]
    result = _import(paula, world.be_office, rows)
    assert (result.created, result.refused) == (1, 1), result.report_rows
    (refused,) = result.report_rows
    assert refused[:2] == ["2", "category"] and "was 30 when the case was registered" in refused[3]


def test_a_list_exported_after_an_erasure_imports_back_and_brings_nobody_back(world: Any, paula: Any) -> None:
    """An exported list writes an erased person "—": its row was refused as "A name must
    contain at least one letter", and the round trip broke."""
    from remis.cases.tests.factories import erase

    _import(paula, world.be_office, [case_row()])
    case = Case.objects.get()
    erase(world, case, case.principal, "data_subject_request")
    exported = case_row(given_name="—", family_name="", phone="", date_of_birth="")
    again = _import(paula, world.be_office, [exported])
    assert (again.unchanged, again.refused) == (1, 0), again.report_rows
    old_file = _import(paula, world.be_office, [case_row()])  # the names as they were
    assert old_file.refused == 1 and "data was erased" in old_file.report_rows[0][3]
    case.principal.refresh_from_db()
    assert case.principal.given_name == "—" and case.principal.phone == ""


def test_a_case_in_remis_that_left_before_its_registration_imports_back(world: Any, paula: Any) -> None:
    """The travel form saves a departure two days before the registration (with a warning):
    the exported list of such a case was refused on import, though nothing in it changed.
    A new row that does so is still refused."""
    returned = {"stage": "returned", "stage_before_closure": "", "closure_reason": "", "closed_on": ""}
    _import(paula, world.be_office, [case_row(**returned)])
    case = Case.objects.get()
    ReturnTravel.objects.filter(case=case).update(departure_date=dt.date(2010, 1, 13))
    again = _import(paula, world.be_office, [case_row(**returned, departure_date="2010-01-13")])
    assert (again.unchanged, again.refused) == (1, 0), again.report_rows
    new = _import(paula, world.be_office, [case_row(external_id="OLD-9", departure_date="2010-01-13")])
    assert new.refused == 1 and new.report_rows[0][1] == "registered_on"


def test_an_imported_case_is_found_by_its_external_id(world: Any, paula: Any) -> None:
    """Searched for by the old spreadsheet's ID, a migrated case was not found: only its new
    reference and names were searched. Another organisation's ID finds nothing."""
    from remis.cases.queries import CaseFilters, filter_cases

    _import(paula, world.be_office, [case_row(external_id="BE-HIST-0001")])
    case = Case.objects.get()
    assert list(filter_cases(paula, CaseFilters(q="be-hist-0001"))) == [case]
    assert list(filter_cases(world.alice, CaseFilters(q="BE-HIST-0001"))) == [case]
    assert list(filter_cases(paula, CaseFilters(q="BE-HIST-0002"))) == []


def test_a_date_written_with_its_time_after_a_space_is_read(world: Any, paula: Any) -> None:
    """ "2019-02-01 00:00:00", as Access, LibreOffice and SQL exports write a date, was
    refused as "not a date written YYYY-MM-DD" where "2019-02-01T00:00:00" was read."""
    result = _import(paula, world.be_office, [case_row(registered_on="2010-01-15 00:00:00",
                                                       closed_on="2012-06-30 14:30")])  # fmt: skip
    assert result.created == 1, result.report_rows
    case = Case.objects.get()
    assert case.registered_at.date() == dt.date(2010, 1, 15)


def test_a_sex_not_known_is_quoted_as_written(world: Any, paula: Any) -> None:
    """ "Homme" was quoted as "HOMME", a value the file does not hold."""
    result = _import(paula, world.be_office, [case_row(sex="Homme"), case_row(external_id="OLD-2", sex="f")])
    assert result.created == 1
    (refused,) = result.report_rows
    assert refused[1] == "sex" and "Homme" in refused[3] and "HOMME" not in refused[3]
    assert refused[3] == "“Homme” is not a valid sex: give one of F, M, X, U."  # the codes said


def test_each_problem_names_row_column_and_value(world: Any, paula: Any) -> None:
    rows = [
        case_row(),
        case_row(external_id="OLD-2", date_of_birth="31/12/1990"),
        case_row(external_id="OLD-3", stage="returned", stage_before_closure="", closure_reason="",
                 closed_on="", arrival_date="", departure_date=""),
        case_row(external_id="OLD-4", origin_country="ZZ"),
        case_row(external_id="OLD-5", closed_on="2009-01-01"),
    ]  # fmt: skip
    result = _import(paula, world.be_office, rows)
    assert (result.created, result.refused) == (1, 4)
    by_row = {(r[0], r[1]): (r[2], r[3]) for r in result.report_rows}
    assert by_row[("3", "date_of_birth")][0] == "31/12/1990"
    assert "YYYY-MM-DD" in by_row[("3", "date_of_birth")][1]
    assert "arrival" in by_row[("4", "arrival_date")][1]
    assert by_row[("5", "origin_country")][0] == "ZZ"
    assert "before it was registered" in by_row[("6", "closed_on")][1]


def test_all_or_nothing_writes_nothing_when_a_row_is_refused(world: Any, paula: Any) -> None:
    rows = [case_row(external_id=f"OLD-{i}") for i in range(5)] + [case_row(external_id="BAD", sex="Q")]
    result = _import(paula, world.be_office, rows, mode="all_or_nothing")
    assert result.refused == 1 and not result.committed
    assert not Case.objects.exists() and not Person.objects.exists()
    assert not AuditEntry.objects.filter(action="case.import").exists()
    good = _import(paula, world.be_office, rows[:5], mode="all_or_nothing")
    assert good.committed and Case.objects.count() == 5


def test_check_mode_writes_nothing(world: Any, paula: Any) -> None:
    result = _import(paula, world.be_office, [case_row()], mode="check")
    assert result.created == 1 and not Case.objects.exists()


def test_cases_outside_the_importers_countries_are_refused(world: Any, paula: Any) -> None:
    result = _import(paula, world.be_office, [case_row(host_country="NL")])
    assert result.refused == 1 and not Case.objects.exists()
    assert result.report_rows[0][1] == "host_country"


def test_a_sensitive_category_needs_its_group(world: Any) -> None:
    sensitive = MigrantCategory.objects.exclude(sensitive_group="").first()
    assert sensitive is not None
    manager = make_user("mona", world.be_office, "programme_manager", ["BE"])
    clerk = make_user("ivan", world.be_office, "programme_manager", ["BE"])
    membership = clerk.memberships.get()
    membership.role = Role.objects.create(
        code="importer",
        name="Importer",
        permissions=[p for p in membership.role.permissions if not p.startswith("sensitive.")],
    )
    membership.save()
    world.programme.eligible_categories.clear()
    assert _import(manager, world.be_office, [case_row(category=sensitive.code)]).created == 1
    refused = _import(clerk, world.be_office, [case_row(external_id="OLD-9", category=sensitive.code)])
    assert refused.refused == 1 and refused.report_rows[0][1] == "category"


def test_a_shared_case_keeps_each_organisations_external_id(world: Any, paula: Any) -> None:
    _import(paula, world.be_office, [case_row()])
    case = Case.objects.get()
    from remis.cases.models import AccessReason

    CaseAccess.objects.create(
        case=case, organisation=world.gn_partner, reason=AccessReason.ACCEPTED, external_id="GN-77"
    )
    assert set(CaseAccess.objects.values_list("external_id", flat=True)) == {"OLD-1", "GN-77"}


def test_a_mapping_reads_other_headers(world: Any, paula: Any) -> None:
    renamed = [("ID dossier" if h == "external_id" else h) for h in HEADER]
    row = case_row()
    row["ID dossier"] = row.pop("external_id")
    result = _import(paula, world.be_office, [row], header=renamed, mapping={"ID dossier": "external_id"})
    assert result.created == 1
    assert CaseAccess.objects.filter(external_id="OLD-1").exists()


def test_a_formula_in_a_cell_is_escaped_in_the_report(world: Any, paula: Any) -> None:
    result = _import(paula, world.be_office, [case_row(phone='=HYPERLINK("http://x","y")')])
    assert result.refused == 1
    assert result.report_rows[0][2].startswith("'=")


def test_historic_cases_count_in_their_own_years_statistics(world: Any, paula: Any) -> None:
    from remis.reports.statistics import Filters, breakdown

    rows = [
        case_row(),  # returned 3 March 2010, closed 2012
        case_row(external_id="OLD-2", stage="monitoring", stage_before_closure="", closure_reason="",
                 closed_on="", registered_on="2011-11-02", departure_date="2012-02-01",
                 arrival_date="2012-02-02"),
        case_row(external_id="OLD-3", stage="counselling", stage_before_closure="", closure_reason="",
                 closed_on="", registered_on="2011-05-05", departure_date="", arrival_date=""),
    ]  # fmt: skip
    assert _import(paula, world.be_office, rows).created == 3
    year = {
        y: breakdown(paula, Filters(dt.date(y, 1, 1), dt.date(y, 12, 31)), "origin")
        for y in (2010, 2011, 2012)
    }
    assert [getattr(year[y], "total_persons", 0) for y in (2010, 2011, 2012)] == [1, 0, 1]


def test_an_import_never_moves_an_existing_case_along_its_journey(world: Any, paula: Any) -> None:
    row = case_row(stage="registered", stage_before_closure="", closure_reason="", closed_on="",
                   departure_date="", arrival_date="")  # fmt: skip
    _import(paula, world.be_office, [row])
    case = Case.objects.get()
    moved = {"stage": "closed", "stage_before_closure": "counselling", "closure_reason": "withdrew"}
    Case.objects.filter(pk=case.pk).update(**moved)
    result = _import(paula, world.be_office, [row])  # the old file again
    assert result.refused == 1 and result.report_rows[0][1] == "stage"
    case.refresh_from_db()
    assert (case.stage, case.closure_reason) == ("closed", "withdrew")


def test_an_organisation_whose_access_ended_cannot_change_the_case_by_import(world: Any, paula: Any) -> None:
    """Its external ID still names the case, but the access it came with has ended (consent
    withdrawn, say): the row is refused, changed or not (an "unchanged" would tell it the
    file still matches the case), and nothing is written."""
    _import(paula, world.be_office, [case_row()])
    case = Case.objects.get()
    CaseAccess.objects.filter(case=case, organisation=world.be_office).update(
        revoked_at=dt.datetime.now(dt.UTC)
    )
    for row in (case_row(), case_row(phone="+224 699 99 99 99")):
        result = _import(paula, world.be_office, [row])
        assert (result.refused, result.updated, result.unchanged) == (1, 0, 0)
        assert "access to this case has ended" in str(result.report_rows)
    case.refresh_from_db()
    assert case.version == 1 and case.principal.phone != "+224 699 99 99 99"


def test_a_given_reference_beyond_the_counter_does_not_block_new_cases(world: Any, paula: Any) -> None:
    """A file gives GIN-2026-000002 or GIN-2026-000097 while the counter is behind: new
    cases, imported (in the same file or later) or registered, step over those numbers
    instead of clashing with them, which refused every new Guinean case of 2026 (and failed
    the import as an unexpected error) from then on."""
    from remis.cases.actions.registration import next_reference

    current = {"registered_on": "2026-03-02", "stage": "counselling", "closed_on": "", "closure_reason": ""}
    current |= {"departure_date": "", "arrival_date": "", "stage_before_closure": ""}
    header = [*HEADER, "reference"]
    rows = [
        case_row(external_id="N-1", reference="GIN-2026-000001", **current),
        case_row(external_id="N-2", given_name="Ousmane", sex="M", **current),
    ]
    result = _import(paula, world.be_office, rows, header=header)
    assert (result.created, result.refused) == (2, 0), result.report_rows
    assert CaseAccess.objects.get(external_id="N-2").case.reference == "GIN-2026-000002"
    far = case_row(external_id="N-3", reference="GIN-2026-000004", **current)
    assert _import(paula, world.be_office, [far], header=header).created == 1
    assert next_reference("GN", 2026) == "GIN-2026-000003"  # registration on the page
    later = _import(paula, world.be_office, [case_row(external_id="N-4", given_name="Fanta", **current)])
    assert later.created == 1, later.report_rows
    assert CaseAccess.objects.get(external_id="N-4").case.reference == "GIN-2026-000005"  # 4 stepped over


def test_a_current_case_carries_its_planned_days_ahead(world: Any, paula: Any) -> None:
    """An intended return and a booked departure lie ahead, as the case page allows: a file
    of current cases (REMIS's own export among them) was refused "the date is in the
    future". A case that has returned still did not leave in the future."""
    ahead = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    planned = {
        "registered_on": "2026-03-02",
        "closed_on": "",
        "closure_reason": "",
        "stage_before_closure": "",
    }
    rows = [
        case_row(external_id="P-1", stage="return_planned", departure_date=ahead, arrival_date="", **planned),
        case_row(external_id="P-2", stage="returned", departure_date=ahead, arrival_date="", **planned),
    ]
    result = _import(paula, world.be_office, rows)
    assert (result.created, result.refused) == (1, 1), result.report_rows
    assert "did not leave in the future" in str(result.report_rows)
    case = CaseAccess.objects.get(external_id="P-1").case
    assert str(ReturnTravel.objects.get(case=case).departure_date) == ahead


def test_an_empty_registration_day_is_the_import_day_once_not_at_every_import(world: Any, paula: Any) -> None:
    row = case_row(external_id="R-1", registered_on="", stage="counselling", closed_on="", closure_reason="")
    row |= {"departure_date": "", "arrival_date": "", "stage_before_closure": ""}
    assert _import(paula, world.be_office, [row]).created == 1
    case = CaseAccess.objects.get(external_id="R-1").case
    yesterday = case.registered_at - dt.timedelta(days=1)  # as if imported the day before
    Case.objects.filter(pk=case.pk).update(registered_at=yesterday)
    again = _import(paula, world.be_office, [row])
    assert (again.unchanged, again.updated) == (1, 0), again.report_rows
    changed = _import(paula, world.be_office, [{**row, "phone": "+224 611 22 33 44"}])
    assert changed.updated == 1
    assert Case.objects.get(pk=case.pk).registered_at == yesterday  # kept, to the minute


def test_an_unknown_closure_reason_is_named_with_the_codes_allowed(world: Any, paula: Any) -> None:
    result = _import(paula, world.be_office, [case_row(closure_reason="bored")])
    assert result.refused == 1
    assert "“bored” is not a closure reason: give one of completed," in str(result.report_rows)


@pytest.mark.parametrize("mode", ["check", "valid_rows"])
def test_a_key_repeated_in_a_later_chunk_is_refused_like_one_in_the_same_chunk(
    world: Any, paula: Any, monkeypatch: Any, mode: str
) -> None:
    """Chunks were checked alone: a row repeating an external ID 2,000 rows further down
    updated the case the first row had just made ("Would be added: 2,099"), silently."""
    import remis.interop.importing as importing

    monkeypatch.setattr(importing, "CHUNK", 2)
    rows = [
        case_row(given_name="Early"),
        case_row(external_id="OLD-2", given_name="Other"),
        case_row(external_id="OLD-3", given_name="Third"),
        case_row(given_name="Later"),  # OLD-1 again, in the second chunk
    ]
    result = _import(paula, world.be_office, rows, mode=mode)
    assert result.refused == 1
    assert [(r[0], r[1]) for r in result.report_rows] == [("5", "external_id")]
    if mode == "valid_rows":
        assert CaseAccess.objects.get(external_id="OLD-1").case.principal.given_name == "Early"


def test_a_journey_whose_days_run_backwards_is_refused(world: Any, paula: Any) -> None:
    """Registered after leaving, or born after returning: imported with no word, the person
    counted as "age not known" in that year's statistics."""
    backwards = {"registered_on": "2012-05-01", "departure_date": "2012-03-01", "arrival_date": "2012-03-02"}
    rows = [
        case_row(external_id="D-1", closed_on="2013-01-01", **backwards),
        case_row(external_id="D-2", date_of_birth="2012-01-01"),  # arrived 2010-03-03
        case_row(external_id="D-3"),
    ]
    result = _import(paula, world.be_office, rows)
    assert result.created == 1
    assert sorted((r[0], r[1]) for r in result.report_rows) == [
        ("2", "registered_on"),
        ("3", "date_of_birth"),
    ]


def test_a_date_and_time_cell_is_its_day_and_a_refused_country_is_quoted_as_written(
    world: Any, paula: Any
) -> None:
    """A workbook's date-and-time cell came as "2016-03-10T14:30:00" and was refused as not
    a date; "Guinée" was quoted back as "GUINÉE"."""
    result = _import(
        paula,
        world.be_office,
        [
            case_row(registered_on="2010-01-15T14:30:00"),
            case_row(external_id="OLD-2", origin_country="Guinée"),
        ],
    )
    assert (result.created, result.refused) == (1, 1)
    case = Case.objects.get()
    assert case.registered_at.date() == dt.date(2010, 1, 15)
    (problem,) = result.report_rows
    assert problem[1] == "origin_country" and "“Guinée” is not an ISO 3166 country code." in problem[3]


def test_a_code_written_in_other_letters_is_the_same_code(world: Any, paula: Any) -> None:
    """ "REAB-BE" and "Rejected_Asylum_Seeker", as a spreadsheet capitalises them, were
    refused as "No programme has the code …"."""
    row = case_row()
    row.update(programme=row["programme"].upper(), category=row["category"].title())
    # So are the journey's codes ("AVR", "Closed", "Monitoring", "Completed" were refused).
    row.update(
        return_type="AVR", stage="Closed", stage_before_closure="MONITORING", closure_reason="Completed"
    )
    header = [*HEADER, "return_type"]
    result = _import(paula, world.be_office, [row], header=header)
    assert (result.created, result.refused) == (1, 0), result.report_rows
    case = CaseAccess.objects.get(organisation=world.be_office, external_id="OLD-1").case
    assert case.programme.code == case_row()["programme"] and case.category.code == case_row()["category"]
    assert (case.return_type, case.stage, case.stage_before_closure, case.closure_reason) == (
        "avr",
        "closed",
        "monitoring",
        "completed",
    )
    again = _import(paula, world.be_office, [row], header=header)
    assert again.unchanged == 1, again.report_rows
    wrong = _import(
        paula, world.be_office, [case_row(external_id="OLD-2", return_type="Charter")], header=header
    )
    assert wrong.report_rows[0][3] == "“Charter” is not a return type."
    # Quoted as the file writes them, not in the lower case they are read in.
    odd = _import(paula, world.be_office, [case_row(external_id="OLD-3", closure_reason="WITHDREW-X")])
    assert odd.report_rows[0][3].startswith("“WITHDREW-X” is not a closure reason"), odd.report_rows
    odd = _import(paula, world.be_office, [case_row(external_id="OLD-4", stage="Departed-X")])
    assert odd.report_rows[0][3] == "“Departed-X” is not a stage.", odd.report_rows


def test_a_planned_return_keeps_its_planned_arrival_and_an_earlier_stage_has_none(
    world: Any, paula: Any
) -> None:
    """The export writes a planned arrival, as the travel form records it: the list exported
    came back refused, "A case that has not returned yet has no arrival date"."""
    soon = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    planned = case_row(
        external_id="PLAN-1",
        registered_on="2026-01-15",
        stage="return_planned",
        stage_before_closure="",
        closure_reason="",
        closed_on="",
        departure_date=soon,
        arrival_date=soon,
    )
    early = planned | {"external_id": "PLAN-2", "stage": "counselling", "departure_date": ""}
    result = _import(paula, world.be_office, [planned, early])
    assert (result.created, result.refused) == (1, 1), result.report_rows
    case = CaseAccess.objects.get(external_id="PLAN-1").case
    assert case.arrival_date == dt.date.fromisoformat(soon) and case.arrival_expected
    assert [row[1] for row in result.report_rows if row[1] == "arrival_date"] == ["arrival_date"]


def test_a_file_changes_no_holding_of_a_shared_case_nor_a_returnees_countries(world: Any, paula: Any) -> None:
    """A country of origin changed by one organisation's file took the case away from the
    partner that held it in that country, and counted the return elsewhere; no page or
    API call changes it."""
    registered = {"stage": "registered", "stage_before_closure": "", "closure_reason": "", "closed_on": "",
                  "departure_date": "", "arrival_date": ""}  # fmt: skip
    _import(paula, world.be_office, [case_row(**registered)])
    case = Case.objects.get()
    # The importing organisation's own case, before the return: its mistakes are corrected.
    fixed = _import(paula, world.be_office, [case_row(**registered, origin_country="SN")])
    assert fixed.updated == 1, fixed.report_rows
    assert Case.objects.get().origin_country == "SN"
    # Shared with a partner: refused, the column named, nothing written.
    CaseAccess.objects.create(case=case, organisation=world.gn_partner, reason="partner")
    for column, value in (
        ("origin_country", "GN"),
        ("registered_on", "2011-01-15"),
        ("programme", "be-reab"),
    ):
        row = case_row(**{**registered, "origin_country": "SN", column: value})
        result = _import(paula, world.be_office, [row])
        if column == "programme":  # the same code in other letters: no change at all
            assert result.unchanged == 1, result.report_rows
            continue
        assert (result.refused, result.updated) == (1, 0), result.report_rows
        assert result.report_rows[0][1] == column
        assert "Another organisation holds this case too" in result.report_rows[0][3]
    stored = Case.objects.get()
    assert (stored.origin_country, stored.registered_at.date()) == ("SN", dt.date(2010, 1, 15))
    # Its own again, but returned: the countries stay; other corrections go in.
    CaseAccess.objects.filter(case=case, organisation=world.gn_partner).delete()
    returned = {
        **registered,
        "stage": "returned",
        "departure_date": "2010-03-02",
        "arrival_date": "2010-03-03",
    }
    Case.objects.filter(pk=case.pk).update(stage="returned", arrival_date=dt.date(2010, 3, 3))
    moved = _import(paula, world.be_office, [case_row(**returned, origin_country="GN")])
    assert moved.refused == 1 and "The returnee has returned" in moved.report_rows[0][3]
    dated = _import(
        paula, world.be_office, [case_row(**returned, origin_country="SN", registered_on="2010-01-20")]
    )
    assert dated.updated == 1, dated.report_rows


def test_the_queries_of_an_import_do_not_grow_with_its_rows(world: Any, paula: Any) -> None:
    """Returned cases, each arrived on its own day, imported 8 then 32 to a file: about the
    same number of queries (monitoring schedules each from the versions read once). Choosing the
    schedule in force asked the database once per case, half of a large import's time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from remis.monitoring.models import FollowUp

    today = dt.date.today()

    def rows(first: int, count: int) -> list[dict[str, str]]:
        made = []
        for n in range(first, first + count):
            arrived = today - dt.timedelta(days=10 + n)
            made.append(
                case_row(
                    external_id=f"NOW-{n}",
                    stage="monitoring",
                    stage_before_closure="",
                    closure_reason="",
                    closed_on="",
                    registered_on=(arrived - dt.timedelta(days=60)).isoformat(),
                    departure_date=(arrived - dt.timedelta(days=1)).isoformat(),
                    arrival_date=arrived.isoformat(),
                    given_name=f"Given{n}",
                )
            )
        return made

    counted = []
    for first, count in [(0, 8), (100, 32)]:
        file = rows(first, count)
        with CaptureQueriesContext(connection) as queries:
            result = _import(paula, world.be_office, file)
        assert (result.created, result.refused) == (count, 0)
        counted.append(len(queries.captured_queries))
    assert FollowUp.objects.values("case").distinct().count() == 40  # each case got its rounds
    # A bulk insert split in batches (SQLite's limit on parameters) is the only growth.
    assert counted[1] <= counted[0] + 3, counted
