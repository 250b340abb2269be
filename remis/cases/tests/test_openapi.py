"""The OpenAPI description is valid, documents the error answers the API really gives,
and lists the codes a client may send or receive."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from remis.cases.lifecycle import ClosureReason, Stage
from remis.cases.models import DocumentKind, PostArrivalStatus, ReturnType, SubmissionStatus
from remis.cases.queries import SORTS


@pytest.fixture(scope="module")
def schema():
    from django.test import Client

    return Client().get("/api/v1/openapi.json").json()


def resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def enum_of(schema, node):
    """The enum of a property, through $ref and `anyOf [enum, null]`."""
    node = resolve(schema, node)
    for option in node.get("anyOf", [node]):
        option = resolve(schema, option)
        if "enum" in option:
            return set(option["enum"])
    raise AssertionError(f"no enum in {node}")


def test_the_schema_is_valid_openapi(schema):
    validate(schema)


def test_every_operation_documents_its_error_answers_with_the_one_error_body(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"401", "422"} | ({"404"} if "{" in path else set())
            if method != "get" and not path.endswith("/search"):
                expected |= {"403", "409"}
            assert expected <= set(responses), (method, path, sorted(responses))
            for code in expected:
                body = responses[code]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, code)
    error = schema["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"detail", "errors"}
    item = resolve(schema, error["properties"]["errors"]["items"])
    assert set(item["properties"]) == {"field", "message"}


def test_coded_fields_are_enums_taken_from_the_models(schema):
    components = schema["components"]["schemas"]
    case_out = components["CaseOut"]["properties"]
    assert enum_of(schema, case_out["stage"]) == set(Stage.values)
    assert enum_of(schema, case_out["closure_reason"]) == {*ClosureReason.values, ""}
    assert enum_of(schema, case_out["return_type"]) == set(ReturnType.values)
    assert enum_of(schema, case_out["post_arrival_status"]) == set(PostArrivalStatus.values)
    submission, document = components["SubmissionOut"], components["IdentityDocumentIn"]
    assert enum_of(schema, submission["properties"]["status"]) == set(SubmissionStatus.values)
    assert enum_of(schema, document["properties"]["kind"]) == set(DocumentKind.values)
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert enum_of(schema, parameters["sort"]["schema"]) == set(SORTS)
    # The list's stages and "open" (every stage but closed), as the case list offers them.
    assert enum_of(schema, parameters["stage"]["schema"]) == {*Stage.values, "open"}


@pytest.mark.django_db
def test_error_answers_match_the_documented_body(client, schema):
    from openapi_schema_validator import OAS31Validator

    body = client.get("/api/v1/cases").json()  # no token: 401
    validator = OAS31Validator({"$ref": "#/components/schemas/ErrorOut", "components": schema["components"]})
    validator.validate(body)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_api_schema_has_its_own_name(schema):
    # The OpenAPI components are keyed by class name: two apps' `AttemptOut` became one, and
    # the contact attempts' answer was documented as a webhook delivery's.
    from ninja import Schema

    modules: dict[str, set[str]] = {}
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("remis."):
            modules.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {name: found for name, found in modules.items() if len(found) > 1} == {}
    attempt = schema["paths"]["/api/v1/monitoring/cases/{case_uuid}/follow-ups/{number}/attempts"]["post"]
    answer = resolve(schema, attempt["responses"]["201"]["content"]["application/json"]["schema"])
    assert set(answer["properties"]) == {"attempted_on", "channel", "outcome", "note"}


@pytest.mark.django_db
def test_an_unknown_api_address_answers_the_error_body_in_json(client, schema):
    from openapi_schema_validator import OAS31Validator

    validator = OAS31Validator({"$ref": "#/components/schemas/ErrorOut", "components": schema["components"]})
    for path in ("/api/v1/organisation", "/api/v1/cases/not-a-uuid/nothing/here"):
        response = client.get(path)
        assert response.status_code == 404 and response["Content-Type"] == "application/json", path
        validator.validate(response.json())
        assert "/api/v1/docs" in response.json()["detail"]


def test_a_patch_declares_the_limits_of_the_body_that_creates(schema):
    """PersonPatch declared no maxLength for the address and the other names, which the
    server refused past 500 and 1,000 (as PersonIn declares): a client's form was built from
    the schema."""
    created = schema["components"]["schemas"]["PersonIn"]["properties"]
    patched = schema["components"]["schemas"]["PersonPatch"]["properties"]

    def limit(field):
        options = field.get("anyOf", [field])
        return next((o["maxLength"] for o in options if "maxLength" in o), None)

    for name, field in created.items():
        if limit(field) is not None and name in patched:
            assert limit(patched[name]) == limit(field), name
