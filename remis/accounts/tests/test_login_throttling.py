"""Guessing passwords is slowed down: after repeated failures from one address, signing
in to that account from there is paused, even with the right password."""

from __future__ import annotations

import pytest
from django.urls import reverse

from remis.cases.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_repeated_failures_pause_sign_in_for_that_account_and_address(client, world, alice, bob, throttled):
    for _ in range(2):
        response = sign_in(client, "alice", "wrong")
        assert response.status_code == 200 and "_auth_user_id" not in client.session
    locked = sign_in(client, "alice", "wrong")
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()

    right_password = sign_in(client, "alice", PASSWORD)
    assert right_password.status_code == 429
    assert "_auth_user_id" not in client.session

    # Another account from the same address, and the same account from elsewhere, still sign in.
    assert sign_in(client, "bob", PASSWORD).status_code == 302
    client.logout()
    assert sign_in(client, "alice", PASSWORD, address="10.0.0.2").status_code == 302


def test_a_success_before_the_limit_forgets_earlier_failures(client, world, alice, throttled):
    sign_in(client, "alice", "wrong")
    sign_in(client, "alice", "wrong")
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.logout()
    sign_in(client, "alice", "wrong")
    sign_in(client, "alice", "wrong")
    assert sign_in(client, "alice", PASSWORD).status_code == 302
