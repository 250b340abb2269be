"""Kosovo (XK / XKX), outside ISO 3166 and so outside pycountry, is a country like any other."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from remis.accounts import actions as accounts
from remis.accounts.models import OrganisationType
from remis.accounts.system import system_actor
from remis.cases.actions import register_case
from remis.cases.models import Case
from remis.cases.queries import visible_cases
from remis.cases.tests.factories import PASSWORD, make_person
from remis.cases.tests.test_api import api, new_case_body  # noqa: F401 - the fixture
from remis.programmes import actions as programmes
from remis.programmes.models import MigrantCategory, PartnerRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def kosovo(world):
    """The Belgian programme extended to Kosovo, with a partner there."""
    programme = programmes.create_programme(
        system_actor(),
        code="BE-XK",
        name="Return to Kosovo/UNSC 1244",
        funder="Fedasil",
        host_countries=["BE"],
        origin_countries=["XK"],
        starts_on=dt.date(2024, 1, 1),
        currency="EUR",
        grant_per_person=Decimal("700"),
        grant_per_family=Decimal("1500"),
    )
    programmes.add_partner(system_actor(), programme, world.be_office, PartnerRole.HOST_COORDINATOR, ["BE"])
    office = accounts.create_organisation(
        system_actor(), name="IOM Kosovo", kind=OrganisationType.IOM_MISSION, country="XK"
    )
    programmes.add_partner(system_actor(), programme, office, PartnerRole.REINTEGRATION_PARTNER, ["XK"])
    worker = accounts.create_user(system_actor(), username="kosovo.worker", password=PASSWORD)
    accounts.add_membership(
        system_actor(), user=worker, organisation=office, role="case_worker", countries=["XK"]
    )
    return programme


def test_a_case_returning_to_kosovo_registers_through_the_action(world, kosovo, today):
    case = register_case(
        world.alice,
        world.be_office,
        programme=kosovo,
        category=MigrantCategory.objects.get(code="rejected_asylum_seeker"),
        host_country="BE",
        origin_country="xk",
        person=make_person(nationality="XK"),
    )
    assert case.reference == f"XKX-{today.year}-000001"
    assert case.origin_country == "XK" and case.principal.nationality == "XK"


def test_a_case_returning_to_kosovo_registers_through_the_api(api, world, kosovo, alice):  # noqa: F811
    body = new_case_body(world, programme="BE-XK", origin_country="XK")
    body["person"]["nationality"] = "XK"
    body["person"]["documents"][0]["issuing_country"] = "XK"
    response = api.as_(alice).post("/cases", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["reference"].startswith("XKX-")
    assert created["origin_country"] == "XK"
    assert visible_cases(alice).get().origin_country == "XK"
    listed = api.get("/cases", origin_country="XK").json()
    assert [c["reference"] for c in listed["items"]] == [created["reference"]]


def test_an_unknown_country_is_still_refused_next_to_kosovo(api, world, kosovo, alice):  # noqa: F811
    response = api.as_(alice).post("/cases", new_case_body(world, programme="BE-XK", origin_country="ZZ"))
    assert response.status_code in (403, 422)
    assert not Case.objects.exists()
