from __future__ import annotations

import datetime as dt

import pytest

from remis.accounts.actions import issue_api_token, revoke_api_token
from remis.accounts.tests.tokens import bearer_key
from remis.cases.models import Case, Note
from remis.cases.tests.factories import make_person, register, returned_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    """A client calling the API as a given user with a fresh token."""

    class Api:
        def as_(self, user):
            raw = bearer_key(user, "test")
            self.auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
            return self

        def get(self, path, **params):
            return client.get(f"/api/v1{path}", params, **self.auth)

        def post(self, path, body, **headers):
            return client.post(
                f"/api/v1{path}", body, content_type="application/json", **self.auth, **headers
            )

        def put(self, path, body):
            return client.put(f"/api/v1{path}", body, content_type="application/json", **self.auth)

        def patch(self, path, body):
            return client.patch(f"/api/v1{path}", body, content_type="application/json", **self.auth)

    return Api()


def new_case_body(world, **overrides):
    body = {
        "organisation_id": world.be_office.pk,
        "programme": "BE-REAB",
        "category": "irregular_migrant",
        "host_country": "BE",
        "origin_country": "GN",
        "person": {
            "given_name": "Kadiatou",
            "family_name": "Barry",
            "sex": "F",
            "date_of_birth": "1992-01-09",
            "documents": [{"kind": "passport", "number": "GN555", "issuing_country": "GN"}],
        },
    }
    body.update(overrides)
    return body


def test_openapi_schema_and_docs_are_public(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/cases" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_requests_without_a_valid_token_get_401(client, world, alice):
    none = client.get("/api/v1/cases")
    assert none.status_code == 401 and none.json()["detail"] == "A valid API token is required."
    token, raw = issue_api_token(alice, name="old")
    revoke_api_token(alice, token)
    response = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("This token was revoked on")  # said why
    assert none["WWW-Authenticate"] == 'Bearer realm="REMIS API"'  # no token: how to send one
    # A token mistyped (its last characters changed) is said to be invalid (RFC 6750 §3.1):
    # it read as if no token had been sent.
    typo = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw[:-2]}xx")
    assert typo.status_code == 401 and 'error="invalid_token"' in typo["WWW-Authenticate"]
    assert typo.json()["detail"].startswith("This API token is not valid")


def test_register_through_the_api_then_read_it(api, world, alice):
    response = api.as_(alice).post("/cases", new_case_body(world))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["reference"].startswith("GIN-") and created["stage"] == "registered"
    assert api.get(f"/cases/{created['uuid']}").json()["principal"]["family_name"] == "Barry"


def test_bad_input_names_every_field_and_writes_nothing(api, world, alice):
    future = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    body = new_case_body(world, origin_country="QQ")
    body["person"]["date_of_birth"] = future
    response = api.as_(alice).post("/cases", body)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    # named as the body nests them, as the schema's own errors are
    assert {"origin_country", "person.date_of_birth"} <= fields
    # an unknown code is said once, not again as a country the programme does not cover
    assert [e["field"] for e in response.json()["errors"]].count("origin_country") == 1
    assert not Case.objects.exists()


def test_a_date_of_birth_and_an_estimated_year_that_disagree_are_refused(api, world, alice):
    """Both were stored (1990-02-03 and 1980), and exported side by side."""
    body = new_case_body(world)
    body["person"] |= {"date_of_birth": "1990-02-03", "birth_year_estimated": 1980}
    response = api.as_(alice).post("/cases", body)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"person.birth_year_estimated"}
    assert not Case.objects.exists()
    body["person"]["birth_year_estimated"] = 1990  # the same year: nothing to choose between
    assert api.as_(alice).post("/cases", body).status_code == 201


def test_a_household_members_errors_name_its_place_in_the_body(api, world, alice):
    future = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    documents = [{"kind": "passport", "number": "GN1", "issuing_country": "QQ"}]
    member: dict[str, object] = {"given_name": "Awa", "family_name": "Barry", "sex": "F"}
    member |= {"date_of_birth": future, "documents": documents}
    body = new_case_body(world, members=[{"person": member, "relation": "child"}])
    response = api.as_(alice).post("/cases", body)
    assert response.status_code == 422, response.content
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"members.0.person.date_of_birth", "members.0.person.documents.0.issuing_country"} <= fields


def test_every_unknown_code_is_said_at_once_in_words(api, world, alice):
    body = new_case_body(world, programme="NOPE", category="nope", vulnerabilities=["x"])
    response = api.as_(alice).post("/cases", body, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors == {
        "programme": "Code de programme inconnu : « NOPE ».",
        "category": "Code de catégorie de migrant inconnu : « nope ».",
        "vulnerabilities": "Code de vulnérabilité inconnu : « x ».",
    }


def test_a_retried_registration_is_refused_naming_the_first_case(api, world, alice):
    """The web form asked before registering the same person twice; a client retrying a
    request that timed out registered a second case."""
    first = api.as_(alice).post("/cases", new_case_body(world))
    assert first.status_code == 201
    again = api.as_(alice).post("/cases", new_case_body(world))
    assert again.status_code == 409
    error = again.json()["errors"][0]
    assert error["field"] == "confirm_duplicate" and first.json()["reference"] in error["message"]
    assert Case.objects.count() == 1
    confirmed = api.as_(alice).post("/cases", new_case_body(world, confirm_duplicate=True))
    assert confirmed.status_code == 201 and Case.objects.count() == 2


def test_schema_errors_use_the_same_error_shape(api, world, alice):
    body = new_case_body(world)
    body["person"]["sex"] = "Q"
    del body["host_country"]
    response = api.as_(alice).post("/cases", body)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert "person.sex" in fields and "host_country" in fields


def test_duplicate_reference_is_a_409_naming_the_field(api, world, alice):
    first = register(world)
    response = api.as_(alice).post("/cases", new_case_body(world, reference=first.reference))
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "reference"


def test_outsider_gets_404_and_read_only_member_gets_403(api, world, carol, dave):
    case = register(world)
    assert api.as_(dave).get(f"/cases/{case.uuid}").status_code == 404
    assert api.post(f"/cases/{case.uuid}/notes", {"body": "x"}).status_code == 404
    assert api.as_(carol).get(f"/cases/{case.uuid}").status_code == 200
    response = api.post(f"/cases/{case.uuid}/notes", {"body": "x"})
    assert response.status_code == 403
    assert not Note.objects.exists()


def test_forbidden_transition_is_422_with_the_reason(api, world, alice):
    case = register(world)
    response = api.as_(alice).post(
        f"/cases/{case.uuid}/transitions", {"stage": "returned", "version": case.version}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "stage"
    assert "cannot move" in response.json()["detail"]


def test_journey_through_the_api_with_version_checks(api, world, alice, bob):
    today = dt.date.today().isoformat()
    case = register(world)
    a = api.as_(alice)
    assert (
        a.post(
            f"/cases/{case.uuid}/consents", {"purpose": "data_processing", "given": True, "given_on": today}
        ).status_code
        == 201
    )
    assert a.post(f"/cases/{case.uuid}/counselling", {"held_on": today}).status_code == 201
    assert (
        a.post(f"/cases/{case.uuid}/transitions", {"stage": "counselling", "version": 1}).json()["version"]
        == 2
    )
    stale = a.post(f"/cases/{case.uuid}/transitions", {"stage": "return_planned", "version": 1})
    assert stale.status_code == 409
    # Words for a client, in the detail and beside the field: no page to open again.
    said = [stale.json()["detail"], *(e["message"] for e in stale.json()["errors"])]
    assert all("Read it again" in words and "page" not in words for words in said), said
    travel = a.put(f"/cases/{case.uuid}/travel", {"departure_date": today, "arrival_date": today})
    assert travel.status_code == 200 and travel.json()["version"] == 1
    bad = a.put(
        f"/cases/{case.uuid}/travel", {"version": 1, "departure_date": today, "arrival_date": "2020-01-01"}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "arrival_date"
    assert a.get(f"/cases/{case.uuid}/consents").json()[0]["purpose"] == "data_processing"


def test_submission_and_answer_through_the_api(api, world, alice, bob):
    today = dt.date.today().isoformat()
    case = register(world)
    a = api.as_(alice)
    a.post(
        f"/cases/{case.uuid}/consents", {"purpose": "sharing_with_partners", "given": True, "given_on": today}
    )
    submission = a.post(f"/cases/{case.uuid}/submissions", {"to_organisation_id": world.gn_partner.pk}).json()
    twice = a.post(f"/cases/{case.uuid}/submissions", {"to_organisation_id": world.gn_partner.pk})
    assert twice.status_code == 422 and twice.json()["errors"][0]["field"] == "to_organisation_id"
    # The partner finds the submission to answer (only the sender's answer gave its id).
    listed = api.as_(bob).get(f"/cases/{case.uuid}/submissions").json()
    assert [(s["id"], s["status"]) for s in listed["items"]] == [(submission["id"], "pending")]
    answered = api.post(f"/cases/{case.uuid}/submissions/{submission['id']}/answer", {"accept": True})
    assert answered.json()["status"] == "accepted"


def test_list_is_scoped_filtered_and_paginated(api, world, alice, bob):
    for _ in range(3):
        register(world)
    register(world, origin="SN")
    returned_case(world)
    page = api.as_(alice).get("/cases", origin_country="SN", limit=10).json()
    assert page["count"] == 1 and page["items"][0]["origin_country"] == "SN"
    page = api.get("/cases", limit=2, offset=2).json()
    assert page["count"] == 5 and len(page["items"]) == 2 and page["offset"] == 2
    assert api.as_(bob).get("/cases").json()["count"] == 1  # only the accepted case
    assert api.get("/cases", limit=0).status_code == 422


def test_search_by_name_goes_in_the_body(api, world, alice):
    wanted = register(world, person=make_person(given_name="Djénabou", family_name="Keïta"))
    register(world)
    page = api.as_(alice).post("/cases/search", {"q": "djenabou keita"}).json()
    assert [c["reference"] for c in page["items"]] == [wanted.reference]
    # Spelt otherwise (Djenabu, Keyta): found when similar spellings are asked for.
    other = api.as_(alice).post("/cases/search", {"q": "djenabu keyta"}).json()
    assert other["items"] == []
    alike = api.as_(alice).post("/cases/search", {"q": "djenabu keyta", "similar": True}).json()
    assert [c["reference"] for c in alike["items"]] == [wanted.reference]
    refused = api.as_(alice).post("/cases/search", {"q": "x", "similar": "perhaps"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "similar"


def test_person_patch_checks_version(api, world, alice):
    case = register(world)
    person_uuid = case.principal.uuid
    a = api.as_(alice)
    body = {"given_name": "Hawa", "family_name": "Sylla", "sex": "F", "version": 1}
    assert a.patch(f"/persons/{person_uuid}", body).json()["version"] == 2
    assert a.patch(f"/persons/{person_uuid}", body).status_code == 409


def test_control_characters_are_refused_on_the_field_not_a_server_error(api, world, alice):
    body = new_case_body(world)
    body["person"]["given_name"] = "Ka\u0000diatou"
    response = api.as_(alice).post("/cases", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "person.given_name"
    case = register(world)
    response = api.post(f"/cases/{case.uuid}/notes", {"body": "null\u0000byte"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "body"
    assert not Case.objects.exclude(pk=case.pk).exists()


def test_api_hides_a_sensitive_category_from_those_without_the_right(api, world, carol, alice):
    trafficked = register(world, category="victim_of_trafficking")
    mine = api.as_(alice).get(f"/cases/{trafficked.uuid}").json()
    assert mine["category"] == "victim_of_trafficking"
    listed = api.as_(carol).get("/cases").json()
    # It reads as "other": "restricted" gave it away, trafficking being the one sensitive category.
    assert [c["category"] for c in listed["items"]] == ["other"]
    assert api.as_(carol).get(f"/cases/{trafficked.uuid}").json()["category"] == "other"
    assert api.as_(carol).get("/cases", category="victim_of_trafficking").json()["count"] == 0
    assert api.as_(carol).get("/cases", category="other").json()["count"] == 1  # as it reads
    assert api.as_(alice).get("/cases", category="victim_of_trafficking").json()["count"] == 1
    assert api.as_(alice).get("/cases", category="other").json()["count"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"held_on": 1764979200}, "held_on"),  # Date.now()/1000 in JavaScript: read as 6 Dec 2025
        ({"held_on": "1764979200000"}, "held_on"),
        ({"held_on": "2026-01-05", "interpreter_used": 1}, "interpreter_used"),
        ({"held_on": "2026-01-05", "interpreter_used": "yes"}, "interpreter_used"),
    ],
)
def test_a_number_is_no_date_and_a_word_no_yes_or_no(api, world, alice, body, field):
    """Pydantic's lax mode stored 1764979200 as 2025-12-06 and "yes" as true: plausible
    wrong values, no error, against the schema's `format: date` and `boolean`."""
    from remis.cases.models import CounsellingSession

    case = register(world)
    answer = api.as_(alice).post(f"/cases/{case.uuid}/counselling", body)
    assert answer.status_code == 422, answer.content
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert not CounsellingSession.objects.filter(case=case).exists()
    fine = api.post(f"/cases/{case.uuid}/counselling", {"held_on": "2026-01-05", "interpreter_used": "true"})
    assert fine.status_code == 201, fine.content


def test_a_number_written_with_underscores_is_refused(api, world, alice):
    """Python's "1_000" was read as 1000 nights, or an amount of 1000: no form writes it."""
    from remis.cases.tests.factories import returned_case

    case = returned_case(world)
    body = {"received_on": str(case.arrival_date), "accommodation_nights": "1_0"}
    answer = api.as_(world.bob).put(f"/cases/{case.uuid}/reception", body)
    assert answer.status_code == 422 and [e["field"] for e in answer.json()["errors"]] == [
        "accommodation_nights"
    ]
    body = {"received_on": str(case.arrival_date), "pocket_money": "1_000", "pocket_money_currency": "EUR"}
    answer = api.put(f"/cases/{case.uuid}/reception", body)
    assert answer.status_code == 422 and [e["field"] for e in answer.json()["errors"]] == ["pocket_money"]
    # Nor a trailing point, nor another script's digits: a text holds a number as JSON writes it.
    for written in ("5.", "１０００", "٥٠٠", "1,000", ""):
        body["pocket_money"] = written
        answer = api.put(f"/cases/{case.uuid}/reception", body)
        assert answer.status_code == 422, (written, answer.content)
        assert [e["field"] for e in answer.json()["errors"]] == ["pocket_money"], written
    body["pocket_money"] = "1e3"  # as JSON writes a number: kept as 1000
    assert api.put(f"/cases/{case.uuid}/reception", body).status_code == 200
    from remis.cases.models import Reception

    assert str(Reception.objects.get(case=case).pocket_money) == "1000.00"


def test_a_cases_notes_are_paged_and_every_one_can_be_read(api, world, alice):
    """205 notes: the newest 200 came back as a bare list, the five oldest out of reach and
    nothing said the list was cut."""
    from remis.cases.models import Note

    case = register(world)
    Note.objects.bulk_create(Note(case=case, author=alice, body=f"note {n}") for n in range(205))
    first = api.as_(alice).get(f"/cases/{case.uuid}/notes", limit=200).json()
    assert first["count"] == 205 and len(first["items"]) == 200 and not first["count_capped"]
    rest = api.get(f"/cases/{case.uuid}/notes", limit=200, offset=200).json()
    read = {n["body"] for n in first["items"] + rest["items"]}
    assert read == {f"note {n}" for n in range(205)}


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_a_mistyped_api_address_is_a_json_404_for_any_method(api, world, alice, method):
    """A POST to /api/v1/cases/ (a trailing slash) or /api/v1/nope read an HTML page about a
    form opened before signing in (the CSRF refusal), where a GET read the JSON 404."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    api.as_(alice)
    for path in ("/api/v1/cases/", "/api/v1/nope"):
        if method == "get":
            answer = client.get(path, **api.auth)
        else:
            answer = getattr(client, method)(path, "{}", content_type="application/json", **api.auth)
        assert answer.status_code == 404, (path, answer.status_code)
        assert answer["Content-Type"].startswith("application/json")
        assert "There is no such API address" in answer.json()["detail"]


def test_an_arrival_range_that_ends_before_it_starts_is_refused(api, world, alice):
    """It answered an empty list, read as "no arrival then", where the exports refuse it."""
    answer = api.as_(alice).get("/cases", arrived_from="2026-12-10", arrived_to="2026-01-01")
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "arrived_to", "message": "The end of the arrival range is before its start."}
    ]
    assert api.get("/cases", arrived_from="2026-01-01", arrived_to="2026-01-01").status_code == 200
