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


def test_a_form_from_an_earlier_session_says_why_in_the_readers_language(world, alice):
    """Signed out and in again in another tab, the open form answered Django's bare English
    "CSRF verification failed. Request aborted." with no way back."""
    from django.test import Client
    from django.urls import reverse

    client = Client(enforce_csrf_checks=True)
    client.login(username=alice.username, password=PASSWORD)
    case_page = "/cases/"
    refused = client.post(
        reverse("dashboard"),
        {"x": "1"},
        HTTP_ACCEPT_LANGUAGE="fr",
        HTTP_REFERER=f"http://testserver{case_page}?page=2",
    )
    assert refused.status_code == 403
    body = refused.content.decode()
    assert "Rien n’a été enregistré" in body and 'href="/cases/?page=2"' in body
    other_site = client.post(reverse("dashboard"), {}, HTTP_REFERER="https://evil.example/x")
    assert "evil.example" not in other_site.content.decode()
