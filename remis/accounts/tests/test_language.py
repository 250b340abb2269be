from __future__ import annotations

import pytest
from django.urls import reverse

from remis.cases.tests.factories import PASSWORD, register

pytestmark = pytest.mark.django_db


def test_arabic_is_right_to_left_and_translated_and_kept_on_the_account(client, world, alice):
    case = register(world)
    client.login(username="alice", password=PASSWORD)
    client.post(reverse("set_language"), {"language": "ar", "next": reverse("case_list")})
    alice.refresh_from_db()
    assert alice.preferred_language == "ar"
    page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "رحلة العودة" in page  # "Return travel"


def test_french_navigation_and_form_labels(client, world, alice):
    client.login(username="alice", password=PASSWORD)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    page = client.get(reverse("case_register")).content.decode()
    assert '<html lang="fr" dir="ltr">' in page
    assert "Tableau de bord" in page and "Pays d’origine" in page


def test_language_switch_refuses_offsite_redirects(client, world, alice):
    client.login(username="alice", password=PASSWORD)
    response = client.post(reverse("set_language"), {"language": "fr", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_choosing_the_language_already_chosen_logs_nothing(client, world, alice):
    from remis.audit.models import AuditEntry

    client.force_login(alice)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    changes = AuditEntry.objects.filter(action="user.set_language", actor=alice).values_list(
        "changes", flat=True
    )
    assert [c["preferred_language"][1] for c in changes] == ["fr"]


def test_the_language_chosen_on_the_sign_in_page_is_kept_once_signed_in(client, world, alice):
    """Arabic chosen on the sign-in page: the code page after the password was in English,
    the account's earlier language taking over."""
    from remis.accounts import actions

    actions.set_language(alice, "en")
    client.post(reverse("set_language"), {"language": "ar", "next": reverse("login")})
    assert '<html lang="ar"' in client.get(reverse("login")).content.decode()
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    alice.refresh_from_db()
    assert alice.preferred_language == "ar"
    assert '<html lang="ar" dir="rtl">' in client.get("/", follow=True).content.decode()
