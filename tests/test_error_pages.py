"""Error pages are in the site's layout and the reader's language."""

from __future__ import annotations

import uuid

import pytest

from remis.cases.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_page_not_found_is_in_the_sites_layout_and_the_readers_language(client, world, alice):
    """It was Django's bare English "Not Found", with no menu, for a record another
    administrator had just removed."""
    client.login(username=alice.username, password=PASSWORD)
    missing = client.get(f"/cases/{uuid.uuid4()}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert missing.status_code == 404
    body = missing.content.decode()
    assert "Introuvable" in body and 'href="/"' in body and "Tableau de bord" in body
