"""Inviting a colleague, in a browser, in English and in French: the administrator invites,
gets the link once, the invitee opens it without an account, chooses a password and is
signed in; the link then says it has been used. Every page is checked by axe-core and for
CSP violations (see conftest)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

WORDS = {
    "en": {
        "locale": "en-GB",
        "users": "Users",
        "invite": "Invite a user",
        "send": "Invite",
        "link": "Invitation link",
        "accept": "Set my password and sign in",
        "welcome": "Welcome to REMIS",
        "used": "already been used",
        "invited": "Invited",
    },
    "fr": {
        "locale": "fr-FR",
        "users": "Utilisateurs",
        "invite": "Inviter un utilisateur",
        "send": "Inviter",
        "link": "Lien d’invitation",
        "accept": "Enregistrer mon mot de passe et me connecter",
        "welcome": "Bienvenue dans REMIS",
        "used": "déjà été utilisé",
        "invited": "Invité",
    },
}


@pytest.mark.parametrize("language", WORDS)
def test_an_administrator_invites_a_colleague_who_accepts(
    world: Any, login: Any, new_context: Any, language: str
) -> None:
    from remis.cases.tests.factories import make_user

    words = WORDS[language]
    olga = make_user("olga", world.be_office, "administrator", ["BE"])
    admin = login(olga, words["locale"])
    expect(admin.locator("html")).to_have_attribute("lang", language)
    admin.get_by_role("navigation").get_by_role("link", name=words["users"], exact=True).click()
    admin.get_by_role("link", name=words["invite"]).first.click()

    admin.locator("main form button.primary").click()  # nothing filled in: each field says so
    expect(admin.locator("#id_username_error")).to_be_visible()
    expect(admin.locator("#id_countries_error")).to_be_visible()

    admin.locator("#id_username").fill("fatou")
    admin.locator("#id_first_name").fill("Fatou")
    admin.locator("#id_last_name").fill("Ndiaye")
    admin.locator("#id_role").select_option("counsellor")
    admin.locator("#id_countries").select_option(["BE", "NL"])
    admin.locator("main form button.primary").click()

    expect(admin.get_by_role("heading", name=words["link"])).to_be_visible()
    link = admin.locator("#new-link").input_value()
    assert re.fullmatch(r"http://[^/]+/invitation/[\w-]+/", link)
    expect(admin.locator("main")).to_contain_text(words["invited"])

    invitee = new_context(words["locale"]).new_page()
    invitee.goto(link)
    expect(invitee.locator("main")).to_contain_text("fatou")
    invitee.locator("#id_password").fill("Niamey-river-2026!")
    invitee.locator("#id_repeat").fill("Niamey-river-2026!")
    invitee.get_by_role("button", name=words["accept"]).click()
    expect(invitee.get_by_role("status")).to_contain_text(words["welcome"])
    expect(invitee.locator(".who")).to_have_text("Fatou Ndiaye")

    again = new_context(words["locale"]).new_page()
    again.goto(link)
    expect(again.get_by_role("alert")).to_contain_text(words["used"])

    admin.reload()  # the link is not shown again
    expect(admin.locator("#new-link")).to_have_count(0)
