"""Administration personas, beside the root conftest's world:

- olga: administrator of the Belgian office (organisation.manage there), not a superuser
- nils: administrator of the Dutch office: an outsider to the Belgian office's users
- paul: platform operator (platform.manage only: organisations and roles, no case data)
"""

from __future__ import annotations

from typing import Any

import pytest

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


@pytest.fixture
def api(api_client: Any) -> Any:
    """The root conftest's API client, under the name these tests use."""
    return api_client


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
