"""Two-factor sign-in: required where the roles can see sensitive records or administer,
optional elsewhere; set up with a code from the app, then asked after the password; recovery
codes work once; wrong codes slow further tries; an administrator resets a lost phone."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from remis.accounts import actions
from remis.accounts.actions import two_factor
from remis.accounts.system import system_actor
from remis.accounts.tests.second_factor import authenticator, code_for
from remis.accounts.two_factor import requires_two_factor
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import PASSWORD, make_user
from remis.lib.errors import NotFound, PermissionDenied, ValidationFailed

pytestmark = [pytest.mark.django_db, pytest.mark.two_factor]


def _sign_in(user, **extra) -> Client:
    client = Client(**extra)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password is right"
    return client


def _key_on_page(html: str) -> bytes:
    found = re.search(r'<code id="totp-key" dir="ltr">([A-Z2-7 ]+)</code>', html)
    assert found, "the set-up page shows the key to type"
    return base64.b32decode(found.group(1).replace(" ", ""))


def _code(key: bytes, *, steps_ahead: int = 0) -> str:
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


@pytest.fixture
def rita(world):
    """A reader of case records who holds no sensitive group, no administration and no
    export of records: a role that needs no second factor (the M&E officer exports)."""
    from remis.accounts.models import Role

    me = Role.objects.get(code="me_officer")
    Role.objects.create(
        code="case_reader",
        name="Case reader",
        permissions=[p for p in me.permissions if p != "records.export"],
    )
    return make_user("rita", world.be_office, "case_reader", ["BE"])


def test_who_must_use_a_second_factor(world, carol, victor, olga, rita):
    assert requires_two_factor(world.alice)  # counsellor: sensitive field groups
    assert requires_two_factor(world.bob)  # case worker: sensitive field groups
    assert requires_two_factor(olga)  # an organisation's administrator
    assert requires_two_factor(carol)  # M&E officer: exports records (names, births, contacts)
    assert not requires_two_factor(rita)  # reads cases: no sensitive group, no export
    assert not requires_two_factor(victor)  # a donor's viewer
    focal = make_user("dora", world.be_office, "data_protection_focal_point", ["BE"])
    assert requires_two_factor(focal)  # the audit and read logs: who opened which case


def test_a_case_worker_sets_up_an_authenticator_before_anything_else(world, bob):
    client = _sign_in(bob)
    asked = client.get(reverse("case_list") + "?q=Diallo&stage=returned")
    assert asked.status_code == 302
    # The filters come along (a quarter's budget link opened unfiltered), a name never does.
    assert asked["Location"] == reverse("two_factor_setup") + "?next=%2Fcases%2F%3Fstage%3Dreturned"
    assert client.get(reverse("api_tokens")).status_code == 302  # nothing else until then
    page = client.get(asked["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and 'href="/cases/"' not in html  # no menu yet
    key = _key_on_page(html)

    wrong = client.post(asked["Location"], {"code": "000000" if _code(key) != "000000" else "111111"})
    assert wrong.status_code == 400 and "This code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=bob).exists()
    malformed = client.post(asked["Location"], {"code": "12ab"})
    assert "Enter the 6-digit code" in malformed.content.decode()

    done = client.post(asked["Location"], {"code": _code(key)})
    assert done.status_code == 302 and done["Location"] == reverse("two_factor_codes")
    codes_page = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    assert len(codes) == 10 and 'href="/cases/"' in codes_page  # then on to the page asked for
    assert client.get(reverse("two_factor_codes")).status_code == 302  # shown once
    assert client.get(reverse("case_list")).status_code == 200
    assert TOTPDevice.objects.get(user=bob).last_used_at is not None  # its first code was checked
    entry = AuditEntry.objects.get(action="user.two_factor_on")
    assert entry.actor == bob and key.hex() not in str(entry.changes) and codes[0] not in str(entry.changes)


def test_the_second_sign_in_asks_for_a_code_and_refuses_the_same_code_twice(world, bob):
    device = authenticator(bob)
    client = _sign_in(bob)
    asked = client.get(reverse("case_list"))
    assert asked["Location"] == reverse("two_factor_verify") + "?next=%2Fcases%2F"
    assert client.get(reverse("two_factor_setup"))["Location"] == reverse("two_factor_verify")  # not replaced
    code = code_for(device)
    signed = client.post(asked["Location"], {"code": code})
    assert signed.status_code == 302 and signed["Location"] == "/cases/"
    assert client.get(reverse("case_list")).status_code == 200
    device.refresh_from_db()
    assert device.last_used_at is not None  # the two-factor page said "Last used —"

    other = _sign_in(bob)
    replay = other.post(reverse("two_factor_verify"), {"code": code})
    assert replay.status_code == 400 and "This code is not right" in replay.content.decode()
    assert other.get(reverse("case_list")).status_code == 302


def test_a_recovery_code_works_once_and_says_how_many_are_left(world, bob):
    authenticator(bob)
    codes = two_factor.new_recovery_codes(bob)
    client = _sign_in(bob)
    used = client.post(reverse("two_factor_verify"), {"code": codes[0].upper()[:4] + "-" + codes[0][4:]})
    assert used.status_code == 302
    landing = client.get(used["Location"]).content.decode()
    assert "9 are left" in landing
    again = _sign_in(bob).post(reverse("two_factor_verify"), {"code": codes[0]})
    assert again.status_code == 400
    assert AuditEntry.objects.filter(action="user.recovery_code_used", actor=bob).count() == 1
    fresh = two_factor.new_recovery_codes(bob)  # the old ones stop working
    assert _sign_in(bob).post(reverse("two_factor_verify"), {"code": codes[1]}).status_code == 400
    time.sleep(1.1)  # a wrong code makes the next try wait a second
    assert _sign_in(bob).post(reverse("two_factor_verify"), {"code": fresh[0]}).status_code == 302


def test_wrong_codes_slow_further_tries_for_that_user_only(world, bob, alice):
    device = authenticator(bob)
    authenticator(alice)
    client = _sign_in(bob)
    for _ in range(3):
        client.post(reverse("two_factor_verify"), {"code": "000001"})
    throttled = client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert (
        throttled.status_code == 400
        and "Too many wrong codes: this one was not checked. Try again in" in throttled.content.decode()
    )
    # Someone else is not slowed by bob's failures.
    assert (
        _sign_in(alice)
        .post(reverse("two_factor_verify"), {"code": code_for(authenticator(alice))})
        .status_code
        == 302
    )


def test_an_optional_user_may_turn_it_on_and_off_and_a_required_one_may_not_turn_it_off(world, rita, bob):
    client = _sign_in(rita)
    assert client.get(reverse("case_list")).status_code in (200, 403)  # no second factor asked
    assert "Off:" in client.get(reverse("two_factor")).content.decode()
    device = authenticator(rita)
    assert _sign_in(rita).get(reverse("dashboard"))["Location"] == reverse(
        "two_factor_verify"
    )  # once on, asked
    two_factor.turn_off_two_factor(rita)
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert _sign_in(rita).get(reverse("dashboard")).status_code == 200
    authenticator(bob)
    with pytest.raises(Exception, match="require two-factor"):
        two_factor.turn_off_two_factor(bob)


def test_an_administrator_resets_a_members_second_factor_and_no_one_else_may(world, carol, olga, alice, nils):
    authenticator(alice)
    two_factor.new_recovery_codes(alice)
    with pytest.raises(NotFound):  # not even told that she is a member there
        two_factor.reset_two_factor(nils, world.be_office, alice.pk)  # another organisation's administrator
    with pytest.raises(PermissionDenied):
        two_factor.reset_two_factor(carol, world.be_office, alice.pk)  # a colleague
    assert two_factor.reset_two_factor(olga, world.be_office, alice.pk)
    assert (
        not TOTPDevice.objects.filter(user=alice).exists()
        and not StaticDevice.objects.filter(user=alice).exists()
    )
    assert not two_factor.reset_two_factor(olga, world.be_office, alice.pk)  # nothing left to reset
    assert AuditEntry.objects.filter(action="user.two_factor_reset", actor=olga).count() == 1
    # Her next sign-in sets up a new authenticator.
    assert _sign_in(alice).get(reverse("dashboard"))["Location"] == reverse("two_factor_setup")


def test_the_member_page_resets_it(world, olga, alice):
    authenticator(alice)
    admin = Client()
    admin.force_login(olga)
    from remis.accounts.tests.second_factor import passed_second_factor

    passed_second_factor(admin, olga)
    url = reverse("member_detail", args=[world.be_office.pk, alice.pk])
    assert "Reset two-factor sign-in" in admin.get(url).content.decode()
    done = admin.post(url, {"step": "reset_two_factor"}, follow=True)
    assert "must set up a new authenticator" in done.content.decode()
    assert not TOTPDevice.objects.filter(user=alice).exists()


def test_a_code_for_a_set_up_that_expired_or_was_tampered_with_is_refused(world, bob):
    with pytest.raises(ValidationFailed, match="expired"):
        two_factor.set_up_authenticator(bob, key="zz", code="123456")


def test_fragments_are_sent_to_the_whole_page(world, bob):
    client = _sign_in(bob)
    response = client.get(reverse("case_list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith(reverse("two_factor_setup"))


def test_api_tokens_are_not_asked_for_a_second_factor(world, bob):
    authenticator(bob)  # set up, as required of him: a token asks no code each time
    _token, raw = actions.issue_api_token(bob, name="sync", access="read")
    assert Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_an_organisation_that_adds_someone_later_does_not_act_on_their_account(world, olga, alice, nils):
    """An administrator added another organisation's user by username and, as their
    administrator now, reset their second factor and could revoke their API tokens. The
    account is the home organisation's (the first joined): the other may only manage the
    membership it gave."""
    from remis.accounts.tests.second_factor import passed_second_factor

    authenticator(alice)
    token, _raw = actions.issue_api_token(alice, name="sync")
    invited = actions.add_existing_member(
        nils, world.nl_office, username="alice", role="viewer", countries=["NL"]
    )
    actions.answer_invitation(alice, world.nl_office.pk, accept=True, expected_version=invited.version)
    with pytest.raises(PermissionDenied, match="IOM Belgium"):
        two_factor.reset_two_factor(nils, world.nl_office, alice.pk)
    with pytest.raises(PermissionDenied):
        actions.revoke_api_token(nils, token, organisation=world.nl_office)
    assert TOTPDevice.objects.filter(user=alice).exists()
    token.refresh_from_db()
    assert token.revoked_at is None
    admin = Client()
    admin.force_login(nils)
    passed_second_factor(admin, nils)
    page = admin.get(reverse("member_detail", args=[world.nl_office.pk, alice.pk])).content.decode()
    assert "Reset two-factor sign-in" not in page and "sync" not in page
    assert "managed by the administrators of IOM Belgium" in page
    refused = admin.post(
        reverse("member_detail", args=[world.nl_office.pk, alice.pk]),
        {"step": "reset_two_factor"},
        follow=True,
    )
    assert "managed by the administrators of IOM Belgium" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=alice).exists()
    # Her home organisation's administrator still can.
    assert two_factor.reset_two_factor(olga, world.be_office, alice.pk)


def test_a_token_stops_working_while_its_owner_lacks_a_required_second_factor(client, world, rita):
    """A token made while the roles required no second factor read trafficking categories
    and counselling notes once a role requiring it was given, no second factor ever passed."""
    from remis.accounts.actions import issue_api_token

    _token, raw = issue_api_token(rita, name="script")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/cases", **bearer).status_code == 200  # a reader of cases: not required
    actions.add_membership(
        system_actor(), user=rita, organisation=world.nl_office, role="counsellor", countries=["NL"]
    )
    refused = client.get("/api/v1/cases", **bearer)
    assert refused.status_code == 401
    assert "two-factor" in refused.json()["detail"]
    authenticator(rita)
    assert client.get("/api/v1/cases", **bearer).status_code == 200
