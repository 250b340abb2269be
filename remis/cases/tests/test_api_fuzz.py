"""Schemathesis over the whole OpenAPI schema: inputs generated from it never make the API
fail with a server error, whatever the endpoint (bad input is a 4xx naming the field, or a
success); every answer keeps to the schema; and sequences of calls chained through the
links schemathesis infers between operations do too."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from remis.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calls go straight to the WSGI app, whose request signals would close the test's
    connection (it is inside a transaction); Django's own test client disconnects them too."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(world):
    from remis.accounts.actions import issue_api_token
    from remis.cases.tests.factories import register

    register(world)  # something to find, edit and move
    return issue_api_token(world.alice, name="fuzz")[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_api_fail(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error])


# What the schema promises about answers: a documented status code, the documented content
# type, and a body that matches the documented schema (a 422 names the field in the shape
# the schema declares; a 200 carries the fields the schema lists, with their types).
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_matches_the_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CONFORMANCE)


@pytest.mark.django_db
def test_sequences_of_calls_chained_by_their_answers_keep_to_the_schema(token):
    """Stateful: schemathesis links operations by what one answers and another takes (a
    case's uuid from the case list to `GET /cases/{case_uuid}`, its transitions, notes,
    persons...), then runs generated sequences of calls through those links, checking every
    answer as above."""
    machine = schema.as_state_machine()

    class Sequences(machine):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {token}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CONFORMANCE)

    Sequences.run(
        settings=settings(
            max_examples=25, stateful_step_count=6, deadline=None, suppress_health_check=list(HealthCheck)
        )
    )
