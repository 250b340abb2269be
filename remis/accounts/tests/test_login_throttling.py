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
    # For how long, as the administrator's page says it (it said "for a while").
    assert "signing in is paused for 15 minutes. Try again then" in locked.content.decode()

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


def test_behind_a_proxy_failures_count_by_the_clients_address(client, world, alice, throttled, settings):
    """Every request arrives from the proxy: counted by its address, one attacker would lock
    Alice out for everyone. With the proxy counted, the lock is the attacker's alone, and
    what a client writes into X-Forwarded-For itself is not believed."""
    settings.REMIS_PROXY_COUNT = 1
    proxy = "10.9.9.9"

    def through_proxy(password, client_address, claimed=""):
        forwarded = f"{claimed}, {client_address}" if claimed else client_address
        return client.post(
            reverse("login"),
            {"username": "alice", "password": password},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for _ in range(3):
        through_proxy("wrong", "203.0.113.7")
    assert through_proxy(PASSWORD, "203.0.113.7").status_code == 429  # the attacker is paused
    # Claiming another address in the header does not get the attacker out of the lock.
    assert through_proxy(PASSWORD, "203.0.113.7", claimed="198.51.100.1").status_code == 429
    assert through_proxy(PASSWORD, "198.51.100.20").status_code == 302  # Alice, from her office


def test_without_a_proxy_the_forwarded_header_is_ignored(client, world, alice, throttled, settings):
    settings.REMIS_PROXY_COUNT = 0
    for n in range(3):  # a new address claimed each time: still one sender
        client.post(
            reverse("login"),
            {"username": "alice", "password": "wrong"},
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    assert sign_in(client, "alice", PASSWORD, address="10.0.0.5").status_code == 429


def test_the_pause_counts_the_failures_as_arabic_counts_them(client, world, alice, throttled):
    """It read "3 مرة" (one form for every count): 3 to 10 take "مرات"."""
    for _ in range(2):
        sign_in(client, "alice", "wrong")
    locked = client.post(
        reverse("login"),
        {"username": "alice", "password": "wrong"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert locked.status_code == 429 and "3 مرات" in locked.content.decode()


def test_guessing_the_current_password_on_the_change_form_pauses_and_signs_out(
    client, world, alice, throttled
):
    """Someone at an unlocked screen could try current passwords there without limit."""
    client.force_login(alice)
    url = reverse("change_password")
    form = {"current": "guess", "new": "Sahel-rain-2026!", "repeat": "Sahel-rain-2026!"}
    for _ in range(2):
        wrong = client.post(url, form, REMOTE_ADDR="10.0.0.1")
        assert wrong.status_code == 400 and "current password is not right" in wrong.content.decode()
    locked = client.post(url, form, REMOTE_ADDR="10.0.0.1")  # the third wrong one
    assert locked.status_code == 429 and "Sign-in paused" in locked.content.decode()
    assert "_auth_user_id" not in client.session  # signed out
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert sign_in(client, "alice", PASSWORD).status_code == 429  # paused, as after wrong sign-ins
