"""A parameter the API cannot honour is a 422 naming it, never an empty list, an ignored
sort or a refusal that blames the caller's permissions."""

from __future__ import annotations

import pytest

from remis.cases.models import Case
from remis.cases.tests.factories import register

pytestmark = pytest.mark.django_db


def error_fields(response):
    assert response.status_code == 422, response.content
    return {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize("field", ["host_country", "origin_country"])
def test_unknown_country_at_registration_is_422_naming_the_field_not_403(api_client, world, alice, field):
    body = {
        "organisation_id": world.be_office.pk,
        "programme": "BE-REAB",
        "category": "irregular_migrant",
        "host_country": "BE",
        "origin_country": "GN",
        "person": {"given_name": "Kadiatou", "family_name": "Barry"},
        field: "ZZ",
    }
    response = api_client.as_(alice).post("/cases", body)
    assert field in error_fields(response)
    assert not Case.objects.exists()


def test_a_real_country_outside_the_users_scope_is_still_403(api_client, world, alice):
    """Only an invalid code skips the permission question; a valid one alice may not
    register in (she works for Belgium) stays a refusal."""
    body = {
        "organisation_id": world.be_office.pk,
        "programme": "BE-REAB",
        "category": "irregular_migrant",
        "host_country": "NL",
        "origin_country": "GN",
        "person": {"given_name": "Kadiatou", "family_name": "Barry"},
    }
    assert api_client.as_(alice).post("/cases", body).status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"stage": "bogus"}, "stage"),
        ({"host_country": "ZZZZ"}, "host_country"),
        ({"host_country": "ZZ"}, "host_country"),
        ({"origin_country": "Q1"}, "origin_country"),
        ({"sort": "bogus"}, "sort"),
        ({"category": "bogus"}, "category"),
    ],
)
def test_list_parameters_it_cannot_honour_are_422_naming_them(api_client, world, alice, params, field):
    register(world)
    response = api_client.as_(alice).get("/cases", **params)
    assert error_fields(response) == {field}


@pytest.mark.parametrize(("params", "field"), [({"stage": "bogus"}, "stage"), ({"sort": "?"}, "sort")])
def test_search_parameters_it_cannot_honour_are_422_naming_them(api_client, world, alice, params, field):
    response = api_client.as_(alice).post("/cases/search", {"q": "barry", **params})
    assert error_fields(response) == {field}


def test_valid_list_parameters_still_filter_and_sort(api_client, world, alice):
    register(world)
    client = api_client.as_(alice)
    assert client.get("/cases", stage="registered", host_country="be", sort="reference").json()["count"] == 1
    assert client.get("/cases", stage="closed").json()["count"] == 0
    # "Open", as the case list offers it: every stage but closed.
    assert client.get("/cases", stage="open").json()["count"] == 1
    assert client.post("/cases/search", {"q": "", "stage": "open"}).json()["count"] == 1


def test_the_values_a_parameter_takes_are_listed_in_the_readers_language(api_client, world, alice):
    """A French answer ended "… or 'closed'": pydantic lists them in English."""
    from remis.accounts.tests.tokens import bearer_key

    headers = {"HTTP_AUTHORIZATION": f"Bearer {bearer_key(alice)}", "HTTP_ACCEPT_LANGUAGE": "fr"}
    response = api_client.client.get("/api/v1/cases", {"stage": "bogus"}, **headers)
    message = response.json()["errors"][0]["message"]
    assert "'registered'" in message and "'closed'" in message and " or " not in message, message


def test_the_list_filters_by_organisation_and_case_worker_as_the_page_does(api_client, world, alice, bob):
    """The case list page narrows to an organisation and to a case worker's cases; the API
    had neither, and an integrator's "my cases" read every case."""
    from remis.cases.tests.factories import accepted_case, assign, make_person

    mine = register(world, person=make_person(given_name="Awa"))
    other = register(world, person=make_person(given_name="Fanta"))
    shared = accepted_case(world)  # the Guinean partner holds it too
    assign(alice, mine, [alice])
    for case in (other, shared):
        assign(alice, case, [])  # registering had assigned alice
    client = api_client.as_(alice)

    def references(**params):
        response = client.get("/cases", **params)
        assert response.status_code == 200, response.content
        return {row["reference"] for row in response.json()["items"]}

    assert references(worker="alice") == references(worker=" alice ") == {mine.reference}
    assert references() == {mine.reference, other.reference, shared.reference}
    assert references(organisation_id=world.be_office.pk) == {
        mine.reference,
        other.reference,
        shared.reference,
    }
    assert client.post("/cases/search", {"q": "", "worker": "alice"}).json()["count"] == 1
    # Bob reads the Guinean partner's cases: the one it holds.
    bobs = api_client.as_(bob)
    response = bobs.get("/cases", organisation_id=world.gn_partner.pk)
    assert [row["reference"] for row in response.json()["items"]] == [shared.reference]
    # Someone else's organisation, a user who is no case worker of theirs, a username that
    # exists nowhere: refused alike, naming the field, telling nothing of who exists.
    assert error_fields(bobs.get("/cases", worker="alice")) == {"worker"}
    assert bobs.get("/cases", worker="alice").json() == bobs.get("/cases", worker="nobody-at-all").json()
    refused = client.get("/cases", organisation_id=world.donor.pk)  # implements no programme
    assert error_fields(refused) == {"organisation_id"}
    assert refused.json() == client.get("/cases", organisation_id=10**9).json()
