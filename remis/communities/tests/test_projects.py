"""Community projects through their actions: validation that names each field, who may keep
them where, versioned edits, the returnees taking part, and the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from remis.audit.models import AuditEntry
from remis.cases.tests.factories import accepted_case, make_user, register, returned_case
from remis.communities import actions
from remis.communities.models import CommunityProject
from remis.communities.queries import ProjectFilters, filter_projects, get_project_for, participants_for
from remis.communities.tests.conftest import valid_values
from remis.lib.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def test_a_case_worker_records_a_project_kept_by_their_organisation(world: Any, bob: Any) -> None:
    project = actions.create_project(bob, valid_values())
    assert project.organisation == world.gn_partner
    assert project.budget == Decimal("25000.00")
    assert project.tags == ["sdg_10_2", "gcm_21"]
    assert project.member_count == 12
    entry = AuditEntry.objects.get(action="communities.project_create")
    assert entry.changes["name"] == [None, "Tree nursery of Kindia"]


def test_every_field_at_fault_is_named_at_once(world: Any, bob: Any) -> None:
    bad = valid_values(
        name=" ",
        kind="circus",
        status="completed",
        start_date=dt.date(2026, 5, 1),
        end_date=dt.date(2026, 4, 1),
        budget="-3",
        currency="XXZ",
        tags=["sdg_99"],
        members={"F_18_34": -1, "aliens": 3},
        sector="nothing",
    )
    with pytest.raises(ValidationFailed) as refused:
        actions.create_project(bob, bad)
    fields = {field for field, _message in refused.value.errors}
    assert fields == {
        "name",
        "kind",
        "end_date",
        "budget",
        "currency",
        "tags",
        "members",
        "members.F_18_34",
        "sector",
    }
    assert not CommunityProject.objects.exists()


def test_a_budget_needs_its_currency_and_a_completed_project_its_dates(world: Any, bob: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        actions.create_project(bob, valid_values(currency="", status="completed", start_date=None))
    assert {f for f, _m in refused.value.errors} == {"currency", "start_date", "end_date"}


def test_a_budget_in_a_currency_without_cents_is_a_whole_amount(world: Any, bob: Any) -> None:
    """1 500 000,50 GNF was kept, where a plan item refuses it."""
    with pytest.raises(ValidationFailed) as refused:
        actions.create_project(bob, valid_values(budget="1500000.50", currency="GNF"))
    assert refused.value.errors == [("budget", "GNF has no fraction: enter a whole amount.")]
    assert not CommunityProject.objects.exists()


def test_the_country_must_be_one_the_programme_returns_people_to(world: Any, bob: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:  # Bob's membership does not cover Mali
        actions.create_project(bob, valid_values(country="ML"))
    assert ("country", "Your role cannot keep community projects in this country.") in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:  # the administrator's covers every country
        actions.create_project(world.admin, valid_values(country="ML"))
    assert ("country", "The programme BE-REAB does not work in this country.") in refused.value.errors


def test_who_may_keep_projects_where(world: Any, alice: Any, bob: Any) -> None:
    with pytest.raises(PermissionDenied):  # a counsellor keeps no projects
        actions.create_project(alice, valid_values())
    sn_worker = make_user("sana", world.gn_partner, "case_worker", ["SN"])
    with pytest.raises(ValidationFailed) as refused:  # a case worker in Senegal, for Guinea:
        actions.create_project(sn_worker, valid_values())  # said on the field, the form kept
    assert [f for f, _m in refused.value.errors] == ["country"]
    project = actions.create_project(bob, valid_values())
    with pytest.raises(PermissionDenied):
        actions.update_project(sn_worker, project, {"name": "Renamed"}, project.version)


def test_who_reads_projects(world: Any, alice: Any, bob: Any, project: Any) -> None:
    assert get_project_for(bob, project.uuid) == project
    with pytest.raises(NotFound):  # Alice works in Belgium: Guinean projects are not hers
        get_project_for(alice, project.uuid)
    # A membership covering every country reads the projects of its organisation's
    # programmes only: it read every project of every programme, budgets included.
    from remis.accounts import actions as accounts
    from remis.accounts.system import system_actor

    everywhere = accounts.create_user(system_actor(), username="ulla", password="x-Long-enough-1")
    accounts.add_membership(
        system_actor(), user=everywhere, organisation=world.donor, role="viewer", all_countries=True
    )
    outsider = accounts.create_user(system_actor(), username="omar", password="x-Long-enough-1")
    other = accounts.create_organisation(system_actor(), name="Other NGO", kind="ngo", country="GN")
    accounts.add_membership(
        system_actor(), user=outsider, organisation=other, role="case_worker", all_countries=True
    )
    assert list(filter_projects(everywhere, ProjectFilters())) == []
    assert list(filter_projects(outsider, ProjectFilters())) == []  # not a partner of the programme
    world.programme.funders.add(world.donor)  # a funder of the programme reads its projects
    assert list(filter_projects(world.victor, ProjectFilters())) == [project]


def test_an_edit_from_an_outdated_read_is_refused(world: Any, bob: Any, project: Any) -> None:
    read = project.version
    changes = actions.update_project(bob, project, {"status": "suspended"}, read)
    assert changes == {"status": ["ongoing", "suspended"]}
    stale = CommunityProject.objects.get(pk=project.pk)
    with pytest.raises(Conflict):
        actions.update_project(bob, stale, {"name": "Other"}, read)
    assert CommunityProject.objects.get(pk=project.pk).name == "Tree nursery of Kindia"


def test_an_untouched_save_changes_nothing(world: Any, bob: Any, project: Any) -> None:
    entries = AuditEntry.objects.count()
    values = valid_values(start_date=project.start_date, budget=Decimal("25000.00"))
    assert actions.update_project(bob, project, values, project.version) == {}
    assert AuditEntry.objects.count() == entries
    assert CommunityProject.objects.get(pk=project.pk).version == project.version


def test_returnees_take_part_through_cases_the_actor_can_read(world: Any, bob: Any, project: Any) -> None:
    case = returned_case(world)  # Guinean returnee, shared with Bob's organisation
    actions.add_participant(bob, project, case.reference.lower())
    entry = AuditEntry.objects.get(action="communities.participant_add")
    assert entry.case_uuid == case.uuid
    with pytest.raises(ValidationFailed, match="already takes part"):
        actions.add_participant(bob, project, case.reference)
    hidden = register(world)  # registered in Belgium, not shared with Guinea
    with pytest.raises(ValidationFailed) as refused:
        actions.add_participant(bob, project, hidden.reference)
    assert refused.value.errors == [("case", "No case you can see has this reference.")]
    found = participants_for(bob, project)
    assert [p.case for p in found.shown] == [case] and found.others == 0


def test_a_returnee_from_elsewhere_does_not_join_a_guinean_project(
    world: Any, alice: Any, project: Any
) -> None:
    senegalese = register(world, origin="SN")
    admin = world.admin
    with pytest.raises(ValidationFailed, match="country of origin"):
        actions.add_participant(admin, project, senegalese.reference)


def test_the_returnees_taking_part_hold_the_projects_dates_and_country(
    world: Any, bob: Any, project: Any
) -> None:
    """An end moved before the day a returnee joined kept them "taking part since" after the
    project's end, and the summary counted them in a finished project."""
    case = returned_case(world)
    joined = timezone.localdate()
    actions.add_participant(bob, project, case.reference, joined)
    said = date_format(joined)
    before = joined - dt.timedelta(days=30)
    with pytest.raises(ValidationFailed) as ended:
        actions.update_project(
            bob, project, valid_values(status="completed", end_date=before), project.version
        )
    assert ended.value.errors == [
        ("end_date", f"A returnee joined on {said}: the project cannot end before that.")
    ]
    stored = CommunityProject.objects.get(pk=project.pk)
    with pytest.raises(ValidationFailed) as started:
        actions.update_project(
            bob, stored, valid_values(start_date=joined + dt.timedelta(days=1)), stored.version
        )
    assert started.value.errors == [
        ("start_date", f"A returnee has taken part since {said}: the project started by then.")
    ]
    stored = CommunityProject.objects.get(pk=project.pk)
    with pytest.raises(ValidationFailed) as moved:
        actions.update_project(world.admin, stored, valid_values(country="SN"), stored.version)
    assert [field for field, _message in moved.value.errors] == ["country"]
    stored = CommunityProject.objects.get(pk=project.pk)
    assert (stored.end_date, stored.country, stored.version) == (None, "GN", project.version)
    # Ending on the day they joined, or later, is fine.
    actions.update_project(bob, stored, valid_values(status="completed", end_date=joined), stored.version)
    assert CommunityProject.objects.get(pk=project.pk).end_date == joined


def test_readers_count_participants_they_cannot_read(world: Any, bob: Any, project: Any) -> None:
    case = returned_case(world)
    actions.add_participant(bob, project, case.reference)
    outsider = make_user("gaston", world.donor, "viewer", ["GN"])
    found = participants_for(outsider, project)
    assert found.shown == [] and found.others == 1


def test_removing_a_participant_is_audited_and_said_twice_is_a_conflict(
    world: Any, bob: Any, project: Any
) -> None:
    case = returned_case(world)
    actions.add_participant(bob, project, case.reference)
    actions.remove_participant(bob, project, case.pk)
    assert not project.participants.exists()
    assert AuditEntry.objects.filter(action="communities.participant_remove", case_uuid=case.uuid).exists()
    with pytest.raises(Conflict):
        actions.remove_participant(bob, project, case.pk)


def test_filters_search_and_tags(world: Any, bob: Any, project: Any) -> None:
    other = actions.create_project(
        bob,
        valid_values(name="École de Coyah", kind="infrastructure", tags=["sdg_10_7"], status="preparation"),
    )
    assert list(filter_projects(bob, ProjectFilters(q="ecole"))) == [other]
    assert list(filter_projects(bob, ProjectFilters(tag="gcm_21"))) == [project]
    assert list(filter_projects(bob, ProjectFilters(status="preparation"))) == [other]
    assert set(filter_projects(bob, ProjectFilters(country="GN"))) == {project, other}
    assert list(filter_projects(bob, ProjectFilters(country="SN"))) == []


def test_a_superuser_keeps_a_project_through_their_membership(world: Any) -> None:
    project = actions.create_project(world.admin, valid_values(country="SN"))
    assert project.organisation == world.be_office


def test_only_a_returned_person_takes_part_and_not_before_arriving(
    world: Any, bob: Any, project: Any
) -> None:
    pending = accepted_case(world)  # accepted by the partner, not yet returned
    with pytest.raises(ValidationFailed, match="not returned yet"):
        actions.add_participant(bob, project, pending.reference)
    case = returned_case(world)
    arrived = case.arrival_date or dt.date(2026, 3, 1)
    with pytest.raises(ValidationFailed) as refused:
        actions.add_participant(bob, project, case.reference, arrived - dt.timedelta(days=1))
    assert refused.value.errors[0][0] == "joined_on"
    # Arrived in January (set here, as travel records would): February is before the start.
    type(case).objects.filter(pk=case.pk).update(arrival_date=dt.date(2026, 1, 15))
    with pytest.raises(ValidationFailed, match="started on"):
        actions.add_participant(bob, project, case.reference, dt.date(2026, 2, 1))
    assert actions.add_participant(bob, project, case.reference, dt.date(2026, 3, 2)).joined_on.month == 3


def test_a_programme_the_keeper_cannot_read_is_answered_as_a_missing_one(world: Any, bob: Any) -> None:
    from remis.accounts.system import system_actor
    from remis.programmes import actions as programmes

    dutch = programmes.create_programme(
        system_actor(), code="NL-ONLY", name="Dutch only (synthetic)", host_countries=["NL"],
        origin_countries=["GN"], starts_on=dt.date(2024, 1, 1),
    )  # fmt: skip
    programmes.add_partner(system_actor(), dutch, world.nl_office, "host_coordinator", ["NL"])
    for code in ("NL-ONLY", "NO-SUCH"):
        with pytest.raises(ValidationFailed) as refused:
            actions.create_project(bob, valid_values(programme=code))
        assert refused.value.errors == [("programme", "Choose one of the programmes.")]
    assert not CommunityProject.objects.exists()


def test_a_returnees_subject_access_file_names_the_projects_they_take_part_in(world):
    """The file left out community projects (and the case's vulnerabilities)."""
    import io

    from openpyxl import load_workbook

    from remis.cases.actions.subject_access import export_subject_data

    case = returned_case(world)
    project = actions.create_project(world.bob, valid_values())
    actions.add_participant(world.bob, project, case.reference)
    officer = make_user("gnadmin", world.gn_partner, "administrator", ["GN"])
    book = load_workbook(io.BytesIO(export_subject_data(officer, case, case.principal)[1]))
    rows = list(book["Community projects"].iter_rows(values_only=True))
    assert rows[0][:2] == ("Case", "Project") and rows[1][:2] == (case.reference, project.name)


def test_the_same_project_sent_twice_is_recorded_once(world, bob):
    """A client retrying after a network timeout recorded two identical projects."""
    from remis.communities.actions import create_project
    from remis.communities.models import CommunityProject
    from remis.communities.tests.conftest import valid_values
    from remis.lib.errors import Duplicate

    create_project(bob, valid_values())
    with pytest.raises(Duplicate):
        create_project(bob, valid_values())
    assert CommunityProject.objects.count() == 1
    assert create_project(bob, valid_values(name="Another nursery"))


def test_sorting_by_country_follows_the_readers_alphabet(world: Any, bob: Any, project: Any) -> None:
    """By ISO code, Arabic read غينيا before السّنغال (GN, SN), which its Country filter lists
    the other way round."""
    from django.utils import translation

    from remis.lib.countries import named_countries

    senegal = actions.create_project(world.admin, valid_values(name="Jardin de Thiès", country="SN"))
    for language in ("en", "ar"):
        with translation.override(language):
            listed = [p.country for p in filter_projects(world.admin, ProjectFilters(sort="country"))]
            expected = [code for code, _name in named_countries({"GN", "SN"})]
        assert listed == expected, language
    with translation.override("ar"):
        assert expected == ["SN", "GN"]  # the case the ISO order got wrong
    assert {project.country, senegal.country} == {"GN", "SN"}
