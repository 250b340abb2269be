"""Administration personas, beside the root conftest's world:

- olga: administrator of the Belgian office (organisation.manage there), not a superuser
- nils: administrator of the Dutch office: an outsider to the Belgian office's users
- paul: platform operator (platform.manage only: organisations and roles, no case data)
"""

from __future__ import annotations

from typing import Any

import pytest

from remis.accounts.actions import issue_api_token
from remis.cases.tests.factories import PASSWORD, make_user


@pytest.fixture
def olga(world: Any) -> Any:
    return make_user("olga", world.be_office, "administrator", ["BE"])


@pytest.fixture
def nils(world: Any) -> Any:
    return make_user("nils", world.nl_office, "administrator", ["NL"])


@pytest.fixture
def paul(world: Any) -> Any:
    return make_user("paul", world.be_office, "platform_operator", ["BE"])


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

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(f"/api/v1{path}", body or {}, content_type="application/json", **self.auth)

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(f"/api/v1{path}", body, content_type="application/json", **self.auth)

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/api/v1{path}", **self.auth)


@pytest.fixture
def api(client: Any) -> ApiClient:
    return ApiClient(client)


@pytest.fixture
def signed_in(client: Any) -> Any:
    """signed_in(user) -> the test client with that user's session."""

    def _sign_in(user: Any) -> Any:
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return _sign_in


def fields_of(response: Any) -> list[str | None]:
    """The fields an API error names."""
    return [e["field"] for e in response.json()["errors"]]
