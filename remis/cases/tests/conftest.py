"""Fixtures the case tests share beyond the personas of the root conftest."""

from __future__ import annotations

from typing import Any

import pytest

from remis.accounts.actions import issue_api_token
from remis.cases.tests.factories import PASSWORD


class ApiClient:
    """Calls /api/v1 as one user, with a fresh token."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.auth: dict[str, str] = {}

    def as_(self, user: Any) -> ApiClient:
        _token, raw = issue_api_token(user, name="test")
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        return self

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, **self.auth)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(f"/api/v1{path}", body, content_type="application/json", **self.auth)

    def put(self, path: str, body: Any) -> Any:
        return self.client.put(f"/api/v1{path}", body, content_type="application/json", **self.auth)

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(f"/api/v1{path}", body, content_type="application/json", **self.auth)


@pytest.fixture
def api_client(client: Any) -> ApiClient:
    return ApiClient(client)


@pytest.fixture
def signed_in(client: Any) -> Any:
    """signed_in(user) -> the test client with that user's session."""

    def _sign_in(user: Any) -> Any:
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return _sign_in


@pytest.fixture(autouse=True)
def only_the_cases_guards() -> Any:
    """The cases tests exercise the cases app's own state machine. Later apps register
    guards of their own on its stages from their AppConfig.ready() (assessments: a completed
    assessment before Reintegration plan; assistance: an approved plan before Assistance),
    which these tests cannot satisfy without importing those apps, and which those apps
    test themselves. So each cases test runs with the cases app's guards only
    (`factories.only_cases_guards`); the others come back afterwards."""
    from remis.cases.tests.factories import only_cases_guards

    with only_cases_guards():
        yield
