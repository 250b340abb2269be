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

    # A counsellor sees sensitive groups: her first page sets up her authenticator.
    _set_up_authenticator_then_sign_in_with_a_recovery_code(invitee, "fatou")

    admin.reload()  # the link is not shown again
    expect(admin.locator("#new-link")).to_have_count(0)


def _set_up_authenticator_then_sign_in_with_a_recovery_code(page: Any, username: str) -> None:
    import base64
    import time

    from django_otp.oath import TOTP

    expect(page).to_have_url(re.compile(r"/accounts/two-factor/set-up/"))
    expect(page.locator("header nav")).to_have_count(0)  # nothing else yet
    expect(page.locator(".qr svg")).to_be_visible()
    key = base64.b32decode(page.locator("#totp-key").inner_text().replace(" ", ""))
    page.locator("#id_code").fill("12")  # a slip: the field says what it needs
    page.locator("main form button.primary").click()
    expect(page.locator("#id_code_error")).to_be_visible()
    totp = TOTP(key)
    totp.time = time.time()
    page.locator("#id_code").fill(f"{totp.token():06d}")
    page.locator("main form button.primary").click()
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    recovery = codes.first.inner_text()
    page.locator("main a.button.primary").click()
    expect(page.locator("header .who")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"two-factor"))

    page.locator("header form[action$='/logout/'] button").click()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("Niamey-river-2026!")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/code/"))
    page.locator("#id_code").fill(recovery)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header .who")).to_have_text("Fatou Ndiaye")
    expect(page.locator(".messages .warning")).to_be_visible()  # how many codes are left


HOLDER_WORDS = {
    "en": {
        "locale": "en-GB",
        "users": "Users",
        "add": "Add an existing user",
        "banner": "An organisation invites you to join it.",
        "accept": "Accept",
        "done": "You are now a member of IOM Belgium.",
    },
    "fr": {
        "locale": "fr-FR",
        "users": "Utilisateurs",
        "add": "Ajouter un utilisateur existant",
        "banner": "Une organisation vous invite à la rejoindre.",
        "accept": "Accepter",
        "done": "Vous êtes maintenant membre de IOM Belgium.",
    },
    "ar": {
        "locale": "ar",
        "users": "المستخدمون",
        "add": "إضافة مستخدم موجود",
        "banner": "منظمة واحدة تدعوك للانضمام إليها.",
        "accept": "قبول",
        "done": "أنت الآن عضو في IOM Belgium.",
    },
}


@pytest.mark.parametrize("language", HOLDER_WORDS)
def test_someone_with_an_account_is_invited_and_accepts_once_signed_in(
    world: Any, login: Any, language: str
) -> None:
    """An administrator invites another organisation's user by username; the page names
    them by username only until they accept, on their own page, signed in."""
    from remis.cases.tests.factories import make_user

    words = HOLDER_WORDS[language]
    world.dave.last_name = "Verhoeven"
    world.dave.save()
    olga = make_user("olga", world.be_office, "administrator", ["BE"])
    admin = login(olga, words["locale"])
    admin.get_by_role("navigation").get_by_role("link", name=words["users"], exact=True).click()
    admin.get_by_role("link", name=words["add"]).first.click()
    admin.locator("main form button.primary").click()  # nothing filled in: the fields say so
    expect(admin.locator("#id_username_error")).to_be_visible()
    admin.locator("#id_username").fill("dave")
    admin.locator("#id_role").select_option("viewer")
    admin.locator("#id_countries").select_option(["BE"])
    admin.locator("main form button.primary").click()
    expect(admin.locator("h1")).to_have_text("dave")
    expect(admin.locator("main")).not_to_contain_text("Verhoeven")
    expect(admin.locator("main button[value=new_link]")).to_have_count(0)

    holder = login(world.dave, words["locale"])
    expect(holder.locator("#invitations-waiting")).to_contain_text(words["banner"])
    holder.locator("#invitations-waiting a").click()
    holder.locator("#invitations").get_by_role("button", name=words["accept"]).click()
    expect(holder.get_by_role("status").first).to_contain_text(words["done"])
    expect(holder.locator("#invitations-waiting")).to_have_count(0)
    expect(holder.locator("#memberships")).to_contain_text("IOM Belgium")

    admin.reload()
    expect(admin.locator("h1")).to_contain_text("Verhoeven")
