from __future__ import annotations

import datetime as dt

import pytest

from remis.accounts import actions as accounts
from remis.accounts.system import system_actor
from remis.cases import actions
from remis.cases.models import CaseAccess, listing_values
from remis.cases.queries import (
    SORTS,
    CaseFilters,
    CaseListing,
    _through_any_organisation,
    count_cases,
    filter_cases,
)
from remis.cases.tests.factories import PASSWORD, accepted_case, register, returned_case

pytestmark = pytest.mark.django_db


def assert_copies_equal_cases():
    for access in CaseAccess.objects.select_related("case"):
        copied = {name: getattr(access, name) for name in listing_values(access.case)}
        assert copied == listing_values(access.case), access.case.reference


def test_access_rows_carry_the_case_list_columns_through_the_journey(world, alice, bob, today):
    case = returned_case(world)
    assert_copies_equal_cases()
    actions.save_travel(
        alice,
        case,
        expected_version=case.travel.version,
        departure_date=today - dt.timedelta(days=3),
        arrival_date=today - dt.timedelta(days=2),
    )
    actions.save_reception(bob, case, expected_version=None, received_on=today)
    actions.transition_case(bob, case, "reception")
    actions.close_case(bob, case, "remigrated")
    assert_copies_equal_cases()
    assert set(CaseAccess.objects.filter(case=case).values_list("stage", flat=True)) == {"closed"}


@pytest.mark.parametrize(
    "filters",
    [
        CaseFilters(),
        CaseFilters(sort="registered"),
        CaseFilters(sort="-arrival"),
        CaseFilters(sort="arrival"),
        CaseFilters(sort="stage"),
        CaseFilters(stage="registered"),
        CaseFilters(origin_country="SN"),
        CaseFilters(category="irregular_migrant"),
        CaseFilters(arrived_from=dt.date(2000, 1, 1)),
    ],
)
def test_fast_path_lists_the_same_cases_in_the_same_order_as_the_general_query(world, alice, filters):
    for origin in ["GN", "SN", "GN", "IQ"]:
        register(world, origin=origin)
    register(world, category="irregular_migrant")
    returned_case(world)
    fast = filter_cases(alice, filters)
    assert isinstance(fast, CaseListing)
    order = SORTS[filters.sort]
    expected = list(_through_any_organisation(alice, filters).order_by(*order))
    assert list(fast) == expected
    assert fast[1:3] == expected[1:3]
    assert count_cases(alice, filters, 1000) == len(expected)


def test_a_user_of_two_organisations_sees_each_case_once(world, alice, client):
    case = accepted_case(world)  # the Belgian office and the Guinean partner both have access
    both = accounts.create_user(system_actor(), username="both", password=PASSWORD)
    accounts.add_membership(
        system_actor(), user=both, organisation=world.be_office, role="counsellor", countries=["BE"]
    )
    accounts.add_membership(
        system_actor(), user=both, organisation=world.gn_partner, role="case_worker", countries=["GN"]
    )
    assert list(filter_cases(both, CaseFilters())) == [case]


def test_my_cases_are_listed_from_the_access_rows_like_the_general_query(world, alice):
    from remis.cases.tests.factories import assign

    cases = [register(world, origin=origin) for origin in ["GN", "SN", "GN", "IQ"]]
    for case in cases[::3]:  # registered by alice, so hers until taken off
        assign(alice, case, [])
    for filters in (
        CaseFilters(worker=alice.pk),
        CaseFilters(worker=alice.pk, stage="registered", sort="registered"),
    ):
        fast = filter_cases(alice, filters)
        assert isinstance(fast, CaseListing)
        expected = list(
            _through_any_organisation(alice, filters)
            .filter(assigned_workers=alice)
            .order_by(*SORTS[filters.sort])
        )
        assert [c.reference for c in fast] == [c.reference for c in expected]
        assert len(expected) == 2 and count_cases(alice, filters, 1000) == 2


def test_my_cases_lists_and_counts_the_same_from_assignments_or_access_rows(world, alice, monkeypatch):
    from remis.cases import queries
    from remis.cases.queries import CaseFilters, count_cases, filter_cases
    from remis.cases.tests.factories import assign, register

    cases = [register(world) for _ in range(4)]
    assign(alice, cases[3], [])  # registered by alice, so hers until taken off
    mine = CaseFilters(worker=alice.pk)
    from_assignments = (list(filter_cases(alice, mine)[:25]), count_cases(alice, mine, 1001))
    monkeypatch.setattr(queries, "FEW_ASSIGNMENTS", 0)  # as for a worker holding thousands
    from_access_rows = (list(filter_cases(alice, mine)[:25]), count_cases(alice, mine, 1001))
    assert from_assignments == from_access_rows
    assert from_assignments[1] == 3 and set(from_assignments[0]) == set(cases[:3])


def test_the_organisation_filter_offers_the_readers_and_their_programmes_partners(world, client):
    """Every organisation was offered (a donor, another country's NGO), each giving an empty list."""
    from remis.accounts.models import Organisation
    from remis.cases.queries import filter_organisations

    stranger = Organisation.objects.create(name="Unrelated Donor Agency", kind="donor", country="DE")
    offered = set(filter_organisations(world.bob).values_list("name", flat=True))
    assert world.gn_partner.name in offered  # bob's own
    assert world.be_office.name in offered  # a partner of the programme bob's organisation implements
    assert stranger.name not in offered
    client.force_login(world.bob)
    page = client.get("/cases/").content.decode()
    assert "Unrelated Donor Agency" not in page and world.be_office.name in page
