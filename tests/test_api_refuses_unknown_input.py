"""A client's misspelt or unsupported field or parameter is refused, naming it: dropped
silently, `{"familyname": "…"}` in a PATCH or `?search=…` on a list would look applied
while nothing changed (and every case would be listed)."""

from __future__ import annotations

from typing import Any

import pytest

from remis.api import api
from remis.cases.tests.factories import register


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _open_objects(
    schema: dict[str, Any], components: dict[str, Any], seen: set[str], *, closed: bool = False
) -> list[str]:
    """The object schemas reachable from a request body that accept properties they do not
    declare (with `closed`, those that refuse them)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return []
        seen.add(name)
    schema = _resolve(schema, components)
    found = []
    if schema.get("type") == "object" and schema.get("properties") is not None:
        if (schema.get("additionalProperties") is False) == closed:
            found.append(schema.get("title", "?"))
    for key in ("properties",):
        for sub in (schema.get(key) or {}).values():
            found += _open_objects(sub, components, seen, closed=closed)
    for key in ("items",):
        if isinstance(schema.get(key), dict):
            found += _open_objects(schema[key], components, seen, closed=closed)
    for key in ("anyOf", "allOf", "oneOf"):
        for sub in schema.get(key) or []:
            found += _open_objects(sub, components, seen, closed=closed)
    return found


def test_every_request_body_refuses_fields_it_does_not_declare() -> None:
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    open_bodies = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                names = _open_objects(body["schema"], components, set())
                if names:
                    open_bodies[f"{method.upper()} {path}"] = sorted(set(names))
    assert open_bodies == {}


@pytest.mark.django_db
def test_a_misspelt_field_is_refused_and_named(api_client: Any, world: Any) -> None:
    from remis.cases.models import Note
    from remis.cases.tests.factories import register

    case = register(world)
    response = api_client.as_(world.alice).post(
        f"/cases/{case.uuid}/notes", {"body": "Called the family.", "pinned": True}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "pinned", "message": "This field is not known here: the fields are listed at /api/v1/docs."}
    ]
    assert not Note.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_an_unknown_query_parameter_is_refused_and_named(api_client: Any, world: Any) -> None:
    response = api_client.as_(world.alice).get("/cases", search="Someone", limit=10)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "search",
            "message": "This parameter is not known here: the parameters are listed at /api/v1/docs.",
        }
    ]
    assert api_client.as_(world.alice).get("/cases", limit=10).status_code == 200


@pytest.mark.django_db
def test_unknown_parameters_do_not_come_before_authentication(client: Any) -> None:
    assert client.get("/api/v1/cases", {"search": "x"}).status_code == 401


@pytest.mark.django_db
def test_schema_messages_are_in_the_readers_language(api_client: Any, world: Any) -> None:
    api_client.as_(world.alice).auth["HTTP_ACCEPT_LANGUAGE"] = "fr"
    response = api_client.get("/cases", limit="two")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "limit", "message": "Saisissez un nombre entier."}]
    # An empty text said as such ("au moins 1 caractères"); one character, in the singular.
    case = register(world)
    empty = api_client.post(f"/cases/{case.uuid}/notes", {"body": ""})
    assert empty.json()["errors"] == [{"field": "body", "message": "Ce champ ne peut pas être vide."}]
    long = api_client.post("/cases/search", {"q": "", "host_country": "BEL"})
    assert long.json()["errors"][0]["message"] == "Saisissez au plus 2 caractères.", long.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("A\u0000B", "Remove the control characters from this field."),
        (
            "Plan \u202egpj.exe",
            "Remove the invisible text-direction characters (U+202A–U+202E, U+2066–U+2069).",
        ),
    ],
)
def test_text_a_name_could_hide_behind_is_refused_in_any_body(
    api_client: Any, world: Any, name: str, message: str
) -> None:
    """The indicator frameworks' bodies took both: a NUL (PostgreSQL refuses it: a 500) and a
    right-to-left override that shows "Plan exe.jpg"."""
    from remis.cases.tests.factories import make_user
    from remis.indicators.models import Framework

    officer = make_user("mo", world.be_office, "me_officer", ["BE"])
    response = api_client.as_(officer).post("/indicator-frameworks", {"code": "fw-1", "name": name})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "name", "message": message}]
    assert not Framework.objects.filter(code="fw-1").exists()


def test_no_answer_refuses_fields_as_an_input_does() -> None:
    """An answer schema built on an input one (TravelOut on TravelIn) inherited the refusal
    of undeclared fields and could not be built from its record: a 500."""
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    closed = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            for answer in operation.get("responses", {}).values():
                body = answer.get("content", {}).get("application/json")
                if body:
                    closed |= set(_open_objects(body["schema"], components, set(), closed=True))
    assert closed == set()


def test_a_parameter_taking_one_value_is_refused_given_twice(api_client, world):
    """`?stage=closed&stage=monitoring` kept the last value, silently."""
    answer = api_client.as_(world.alice).get("/cases", stage=["closed", "monitoring"])
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert [e["field"] for e in errors] == ["stage"] and "more than once" in errors[0]["message"]
    assert api_client.as_(world.alice).get("/cases", stage="closed").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b'{familyname: "x"}', b"\xff\xfe{}", b"[" * 5000])
def test_a_body_that_is_not_json_is_refused_in_the_readers_language(world: Any, body: bytes) -> None:
    """Ninja's English words came back whatever the language, with the parser's internals
    ("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)")."""
    from django.test import Client

    from remis.accounts.tests.tokens import bearer_key
    from remis.cases.tests.factories import register

    case = register(world)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {bearer_key(world.alice, 'api')}", HTTP_ACCEPT_LANGUAGE="fr")
    response = client.post(f"/api/v1/cases/{case.uuid}/notes", body, content_type="application/json")
    assert response.status_code == 400
    (message,) = [response.json()["detail"]] if "detail" in response.json() else [str(response.json())]
    assert "JSON" in message and "Expecting" not in message and "codec" not in message
    assert "Le corps de la requête" in message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type", "status", "words"),
    [
        (b'{"body": "a", "body": "b"}', "application/json", 400, "« body »"),
        (b'{"body": "a"}', "text/plain", 415, "Content-Type: application/json"),
        (b'{"body": "a"}', "application/x-www-form-urlencoded", 415, "Content-Type: application/json"),
    ],
)
def test_a_body_is_json_said_so_and_gives_each_field_once(
    world: Any, body: bytes, content_type: str, status: int, words: str
) -> None:
    """A field given twice kept the last value, and a body sent as text or as a form (curl's
    -d without a header) was read as JSON: both were saved."""
    from django.test import Client

    from remis.accounts.tests.tokens import bearer_key
    from remis.cases.models import Note

    case = register(world)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {bearer_key(world.alice, 'api')}", HTTP_ACCEPT_LANGUAGE="fr")
    response = client.post(f"/api/v1/cases/{case.uuid}/notes", body, content_type=content_type)
    assert response.status_code == status, response.content
    assert words in response.json()["detail"]
    assert not Note.objects.filter(case=case).exists()
    sent = client.post(f"/api/v1/cases/{case.uuid}/notes", b'{"body": "a"}', content_type="application/json")
    assert sent.status_code == 201
