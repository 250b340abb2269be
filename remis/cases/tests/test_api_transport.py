"""What every API answer gets right whatever the endpoint: a body too large or unreadable is
the client's error in the API's error shape (both were 500s with Django's traceback page), a
method an address does not take is answered in JSON, a missing token says how to send one,
a stale version is worded for a client, and no answer may be kept by a cache."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from remis.cases.models import Note
from remis.cases.tests.factories import register

pytestmark = pytest.mark.django_db


def test_a_body_over_the_limit_is_a_413_and_writes_nothing(api_client: Any, world: Any) -> None:
    case = register(world)
    response = api_client.as_(world.alice).post(f"/cases/{case.uuid}/notes", {"body": "x" * 3_000_000})
    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is larger than the API accepts (2.1 MB at most)."
    assert not Note.objects.exists()


def test_a_multipart_body_without_its_boundary_is_a_400(api_client: Any, world: Any) -> None:
    response = api_client.client.post(
        f"/api/v1/plans/cases/{uuid.uuid4()}/versions/1/agreement",
        b"agreed_on=2026-01-01",
        content_type="multipart/form-data",
        **api_client.as_(world.bob).auth,
    )
    assert response.status_code == 400
    assert "multipart/form-data" in response.json()["detail"]


def test_a_method_an_address_does_not_take_is_answered_in_json(api_client: Any, world: Any) -> None:
    response = api_client.as_(world.alice).patch("/cases", {})
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert "GET" in response["Allow"] and "GET" in response.json()["detail"]


def test_a_request_without_a_token_is_told_the_scheme(client: Any) -> None:
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_no_answer_may_be_cached(api_client: Any, world: Any) -> None:
    register(world)
    assert api_client.as_(world.alice).get("/cases")["Cache-Control"] == "no-store"
    assert api_client.get("/no-such-address")["Cache-Control"] == "no-store"


def test_a_stale_version_is_worded_for_a_client(api_client: Any, world: Any) -> None:
    case = register(world)
    person = case.principal
    api = api_client.as_(world.alice)
    first = api.patch(f"/persons/{person.uuid}", {"version": person.version, "phone": "+32470000001"})
    assert first.status_code == 200
    stale = api.patch(f"/persons/{person.uuid}", {"version": person.version, "phone": "+32470000002"})
    assert stale.status_code == 409
    assert stale.json()["detail"].startswith("Someone else changed this record after you read it.")


def test_a_move_from_a_stale_version_is_a_conflict_before_the_journeys_rules(
    api_client: Any, world: Any
) -> None:
    """Judged against a state the client never saw, it got a 422 about counselling."""
    from remis.cases import actions

    case = register(world)
    actions.add_note(world.alice, case, "synthetic")  # the case moves on to version 2
    case.refresh_from_db()
    stale = api_client.as_(world.alice).post(
        f"/cases/{case.uuid}/transitions", {"stage": "return_planned", "version": case.version - 1}
    )
    assert stale.status_code == 409, stale.json()


def test_every_refusal_has_the_one_error_shape_with_at_least_one_entry(api_client: Any, world: Any) -> None:
    """401, 404, 405 and 413 answered an empty `errors`, other refusals an entry with a null
    field: a client reading the first entry failed on the first kind."""
    import uuid

    from django.test import Client

    alice = api_client.as_(world.alice)
    answers = [
        Client().get("/api/v1/cases"),
        alice.get(f"/cases/{uuid.uuid4()}"),
        alice.get("/no-such-address"),
        alice.patch("/cases", {}),
    ]
    for response in answers:
        body = response.json()
        assert body["errors"] and body["errors"][0]["message"], (response.status_code, body)
        assert body["errors"][0]["field"] is None
