"""/api/v1/programmes and /api/v1/platform: the same actions as the pages, errors in the
shared shape, conflicts as 409."""

from __future__ import annotations

import pytest

from remis.audit.models import AuditEntry
from remis.cases.tests.factories import make_user
from remis.programmes.models import MigrantCategory, Programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(world):
    return make_user("maria", world.be_office, "programme_manager", ["BE"])


@pytest.fixture
def operator(world):
    return make_user("olga", world.be_office, "platform_operator", [])


def version() -> int:
    return Programme.objects.get(code="BE-REAB").version


BODY = {
    "code": "SAHEL-1",
    "name": "Sahel returns",
    "host_countries": ["NE"],
    "origin_countries": ["GN", "ML"],
    "starts_on": "2026-01-01",
}


def test_a_manager_creates_a_programme_and_adds_a_partner(api_client, world, manager):
    client = api_client.as_(manager)
    answer = client.post("/programmes", {**BODY, "funder_ids": [world.donor.pk]})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["funder_ids"] == [world.donor.pk] and body["version"] == 1
    assert [(p["organisation"], p["role"]) for p in body["partners"]] == [("IOM Belgium", "implementing")]
    added = client.post(
        "/programmes/SAHEL-1/partners",
        {
            "organisation_id": world.gn_partner.pk,
            "role": "reintegration_partner",
            "countries": ["GN"],
            "version": 1,
        },
    )
    assert added.status_code == 201, added.content
    listed = client.get("/programmes", q="sahel").json()
    assert [p["code"] for p in listed["items"]] == ["SAHEL-1"]
    assert listed["items"][0]["version"] == 2
    # The number the reports' programme filter takes, which a client could read nowhere.
    assert listed["items"][0]["id"] == Programme.objects.get(code="SAHEL-1").pk
    # A country in small letters is that country; an unknown one is named, not an empty list.
    assert "SAHEL-1" in [p["code"] for p in client.get("/programmes", country="gn").json()["items"]]
    unknown = client.get("/programmes", country="XX")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "country"


def test_errors_name_the_field(api_client, world, manager):
    answer = api_client.as_(manager).post(
        "/programmes",
        {**BODY, "ends_on": "2025-01-01", "origin_countries": ["QQ"], "funder_ids": [world.be_office.pk]},
    )
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["errors"]}
    assert fields == {"ends_on", "origin_countries", "funders"}
    assert not Programme.objects.filter(code="SAHEL-1").exists()


def test_a_partner_outside_the_programme_countries_is_a_422_on_countries(api_client, world, manager):
    answer = api_client.as_(manager).post(
        "/programmes/BE-REAB/partners",
        {
            "organisation_id": world.nl_office.pk,
            "role": "reintegration_partner",
            "countries": ["ML"],
            "version": version(),
        },
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "countries", "message": "Mali: not among the programme's countries for this role."}
    ]


def test_a_stale_version_is_a_409_and_nothing_changes(api_client, world, manager):
    client = api_client.as_(manager)
    read = version()
    assert client.patch("/programmes/BE-REAB", {"version": read, "name": "First"}).status_code == 200
    stale = client.patch("/programmes/BE-REAB", {"version": read, "name": "Second"})
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["field"] == "version"
    assert Programme.objects.get(code="BE-REAB").name == "First"
    # With nothing else sent, the version is still checked (a made-up one answered 200).
    for made_up in (read, -1, 2**62):
        assert client.patch("/programmes/BE-REAB", {"version": made_up}).status_code == 409
    from remis.audit.models import AuditEntry

    entries = AuditEntry.objects.count()
    current = client.patch("/programmes/BE-REAB", {"version": version()})
    assert current.status_code == 200 and current.json()["name"] == "First"
    assert AuditEntry.objects.count() == entries  # nothing changed, nothing written


def test_deactivating_through_the_api_is_audited(api_client, world, manager):
    answer = api_client.as_(manager).patch("/programmes/BE-REAB", {"version": version(), "active": False})
    assert answer.status_code == 200 and answer.json()["active"] is False
    assert AuditEntry.objects.filter(action="programme.deactivate", actor=manager).exists()


def test_refusals_another_organisations_manager_404_a_case_worker_403_the_operator_cannot_edit(
    api_client, world, operator, bob
):
    from remis.accounts import actions as accounts
    from remis.accounts.models import OrganisationType
    from remis.accounts.system import system_actor

    other = accounts.create_organisation(
        system_actor(), name="IOM Mali", kind=OrganisationType.IOM_MISSION, country="ML"
    )
    outsider = make_user("oscar", other, "programme_manager", ["ML"])
    assert (
        api_client.as_(outsider).patch("/programmes/BE-REAB", {"version": version(), "name": "X"}).status_code
        == 404
    )
    assert (
        api_client.as_(bob).patch("/programmes/BE-REAB", {"version": version(), "name": "X"}).status_code
        == 403
    )
    # the operator belongs to IOM Belgium, a partner, yet holds no programme.manage
    assert (
        api_client.as_(operator).patch("/programmes/BE-REAB", {"version": version(), "name": "X"}).status_code
        == 403
    )
    assert api_client.as_(operator).post("/programmes", BODY).status_code == 403
    assert Programme.objects.get(code="BE-REAB").name == "Belgian REAB"


def test_the_operator_adds_edits_retires_and_moves_a_category(api_client, world, operator):
    client = api_client.as_(operator)
    created = client.post(
        "/platform/categories",
        {"code": "climate", "name": "Displaced by climate", "names": {"fr": "Déplacé climatique"}},
    )
    assert created.status_code == 201, created.content
    last = created.json()["position"]
    changed = client.patch(
        "/platform/categories/climate",
        {"names": {"fr": "Déplacé par le climat", "ar": "نازح بسبب المناخ"}, "move": "up"},
    )
    assert changed.status_code == 200
    assert changed.json()["names"] == {"fr": "Déplacé par le climat", "ar": "نازح بسبب المناخ"}
    assert changed.json()["position"] == last - 1
    assert client.patch("/platform/categories/climate", {"active": False}).json()["active"] is False
    listed = client.get("/platform/categories", status="retired").json()
    assert [i["code"] for i in listed] == ["climate"]
    assert client.get("/platform/vulnerabilities").status_code == 200
    assert client.get("/platform/nothing").status_code == 422


def test_a_programme_manager_cannot_touch_the_shared_configuration(api_client, world, manager):
    client = api_client.as_(manager)
    assert client.get("/platform/categories").status_code == 403
    assert client.post("/platform/categories", {"code": "x", "name": "X"}).status_code == 403
    assert client.patch("/platform/categories/other", {"name": "Changed"}).status_code == 403
    assert MigrantCategory.objects.get(code="other").name == "Other"


def test_a_bad_sensitive_group_is_a_422_naming_it(api_client, world, operator):
    answer = api_client.as_(operator).post(
        "/platform/vulnerabilities", {"code": "x", "name": "X", "sensitive_group": "secret"}
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "sensitive_group"


def test_the_openapi_schema_documents_the_new_operations(api_client, world, manager):
    schema = api_client.as_(manager).client.get("/api/v1/openapi.json").json()
    assert "/api/v1/programmes/{code}/partners/{partner_id}" in schema["paths"]
    assert "409" in schema["paths"]["/api/v1/programmes/{code}"]["patch"]["responses"]
    assert "/api/v1/platform/{kind}/{code}" in schema["paths"]


def test_the_programme_list_costs_the_same_queries_for_one_programme_or_many(api_client, world, manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from remis.programmes.models import PartnerRole

    client = api_client.as_(manager)
    client.get("/programmes")
    with CaptureQueriesContext(connection) as one:
        client.get("/programmes")
    for n in range(5):
        programme = Programme.objects.create(
            code=f"P{n}", name=f"Programme {n}", funder="", starts_on="2026-01-01", host_countries=["BE"]
        )
        programme.partners.create(
            organisation=world.be_office, role=PartnerRole.IMPLEMENTING, countries=["BE"]
        )
        programme.funders.add(world.donor)
    with CaptureQueriesContext(connection) as six:
        assert client.get("/programmes").json()["count"] == 6
    assert len(six) == len(one)


@pytest.mark.parametrize(
    "path",
    ["/programmes", "/platform/organisations", "/platform/categories"],  # cases: q only by POST
)
def test_a_search_with_a_control_character_is_refused_naming_it(api_client, world, manager, path):
    """A NUL in `q` reached PostgreSQL, which refuses it in any text: a 500 there."""
    answer = api_client.as_(manager).get(path, q="Ja\x00nvier")
    assert answer.status_code in (422, 403), answer.content  # organisations: operators only
    if answer.status_code == 422:
        assert answer.json()["errors"][0]["field"] in ("q", None)


def test_a_follow_up_filter_with_a_nul_is_refused(api_client, world, manager):
    """`country=%00` on the follow-ups reached PostgreSQL: a 500 schemathesis found."""
    answer = api_client.as_(manager).get("/monitoring/follow-ups", country="\x00")
    assert answer.status_code in (422, 403), answer.content
