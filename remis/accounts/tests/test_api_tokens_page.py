from __future__ import annotations

import re

import pytest
from django.urls import reverse

from remis.accounts import actions
from remis.cases.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_every_column_of_the_tokens_table_has_a_name(client, world, alice):
    actions.issue_api_token(alice, name="Reporting script")
    client.login(username=alice.username, password=PASSWORD)
    page = client.get(reverse("api_tokens")).content.decode()
    headers = re.findall(r"<th>(.*?)</th>", page)
    assert len(headers) == 7
    assert all(re.sub(r"<[^>]+>", "", h).strip() for h in headers)  # a hidden name counts


def test_the_tokens_page_links_the_api_reference(client, world, alice):
    """The reference was linked from nowhere: only a 404's text named its address."""
    client.login(username=alice.username, password=PASSWORD)
    page = client.get(reverse("api_tokens")).content.decode()
    assert '<a href="/api/v1/docs" dir="ltr">/api/v1/docs</a>' in page
    assert client.get("/api/v1/docs").status_code == 200


def test_revoking_asks_through_a_data_attribute_not_an_inline_handler(client, world, alice):
    actions.issue_api_token(alice, name="Reporting script")
    client.login(username=alice.username, password=PASSWORD)
    page = client.get(reverse("api_tokens")).content.decode()
    assert 'data-confirm="Revoke this token?"' in page
    assert "onsubmit" not in page


def test_a_new_token_is_shown_once_and_the_page_is_never_kept_for_back(client, world, alice):
    """Back after creating a token showed it again from the browser's kept copy: the page
    says no-store, so Back fetches it again, and the token is gone from the session."""
    client.login(username=alice.username, password=PASSWORD)
    created = client.post(
        reverse("api_tokens"), {"name": "Sync", "access": "read", "days": "30"}, follow=True
    )
    shown = re.search(r"remis_[A-Za-z0-9_-]+", created.content.decode())
    assert shown is not None, created.content.decode()[:500]
    assert "no-store" in created["Cache-Control"]
    again = client.get(reverse("api_tokens"))
    assert shown.group(0) not in again.content.decode() and "no-store" in again["Cache-Control"]


def test_the_list_gives_each_tokens_first_characters_as_copied(client, world, alice):
    """ "Starts with" showed "k_zoywBV…" for a token starting "remis_k_zoywBV"."""
    client.login(username=alice.username, password=PASSWORD)
    created = client.post(
        reverse("api_tokens"), {"name": "Sync", "access": "read", "days": "30"}, follow=True
    )
    raw = re.search(r"remis_[A-Za-z0-9_-]+", created.content.decode())
    assert raw is not None
    listed = client.get(reverse("api_tokens")).content.decode()
    assert f'<code dir="ltr">{raw.group(0)[:14]}…</code>' in listed


def test_a_second_token_in_use_under_the_same_name_is_refused_on_its_field(client, world, alice):
    """Two tokens both named "Sync" could not be told apart in the list when one had to be
    revoked (a lost laptop). The name is free again once its token is revoked."""
    client.login(username=alice.username, password=PASSWORD)
    form = {"name": "Sync", "access": "read", "days": "30"}
    assert client.post(reverse("api_tokens"), form).status_code == 302
    again = client.post(reverse("api_tokens"), {**form, "name": " sync "})
    assert again.status_code == 400
    error = re.search(r'<div id="id_name_error">(.*?)</div>', again.text, re.S)
    assert error is not None and "Another of your tokens in use is named so" in error.group(1)
    assert alice.api_tokens.count() == 1
    actions.revoke_api_token(alice, alice.api_tokens.get())
    assert client.post(reverse("api_tokens"), form).status_code == 302
    assert alice.api_tokens.filter(revoked_at__isnull=True).count() == 1


def test_a_name_with_a_direction_override_is_refused_on_its_field(client, world, alice):
    """ "tok \u202ecba" showed in the list as "tok abc": a name must read as it is stored."""
    client.login(username=alice.username, password=PASSWORD)
    refused = client.post(reverse("api_tokens"), {"name": "tok \u202ecba", "access": "read", "days": "30"})
    assert refused.status_code == 400
    error = re.search(r'<div id="id_name_error">(.*?)</div>', refused.text, re.S)
    assert error is not None and "Remove the invisible text-direction characters" in error.group(1)
    assert not alice.api_tokens.exists()
