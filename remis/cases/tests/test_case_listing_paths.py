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
    for case in cases[1:3]:
        assign(alice, case, [alice])
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
