"""An administrator invites someone: the user exists but cannot sign in; the link, shown
once, lets them choose a password and sign in, once; a used, expired or withdrawn link
says so."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from remis.accounts import actions
from remis.accounts.models import Invitation, Membership, User
from remis.accounts.tests.conftest import fields_of
from remis.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Niamey-river-2026!"
INVITE: dict[str, Any] = {
    "username": "fatou",
    "first_name": "Fatou",
    "last_name": "Ndiaye",
    "email": "",
    "role": "counsellor",
    "countries": ["BE", "NL"],
}


def _invite(client: Client, organisation_id: int, **changes: Any) -> tuple[Any, str]:
    response = client.post(
        reverse("member_invite", args=[organisation_id]), {**INVITE, **changes}, follow=True
    )
    match = re.search(r'value="(http://testserver/invitation/[^"]+/)"', response.content.decode())
    return response, match.group(1) if match else ""


def test_an_invitation_is_accepted_once_and_signs_the_invitee_in(signed_in, world, olga):
    _response, link = _invite(signed_in(olga), world.be_office.pk)
    assert link, "the link is shown after inviting"
    fatou = User.objects.get(username="fatou")
    assert not fatou.is_active and not fatou.has_usable_password()
    membership = Membership.objects.get(user=fatou)
    assert membership.status == "invited" and membership.countries == ["BE", "NL"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash=token).exists()  # only its hash is stored

    shown_again = signed_in(olga).get(reverse("member_detail", args=[world.be_office.pk, fatou.pk]))
    assert link not in shown_again.content.decode()  # shown once

    invitee = Client()
    assert not invitee.login(username="fatou", password=GOOD_PASSWORD)
    page = invitee.get(link)
    assert page.status_code == 200 and "Your username is" in page.content.decode()
    weak = invitee.post(link, {"password": "123", "repeat": "123"})
    assert weak.status_code == 400 and "too short" in weak.content.decode()
    done = invitee.post(link, {"password": GOOD_PASSWORD, "repeat": GOOD_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("dashboard")
    # Signed in: her role lets her see sensitive groups, so she sets up her second factor first.
    first = invitee.get(reverse("dashboard"), follow=True)
    assert first.context["user"].username == "fatou"
    assert first.redirect_chain == [(reverse("two_factor_setup"), 302)]
    membership.refresh_from_db()
    assert membership.status == "active"

    again = Client().get(link)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    reuse = Client().post(link, {"password": "Other-pass-2026!", "repeat": "Other-pass-2026!"})
    assert reuse.status_code == 410
    assert Client().login(username="fatou", password=GOOD_PASSWORD)

    actions_logged = list(AuditEntry.objects.order_by("id").values_list("action", "actor__username"))
    assert ("user.invite", "olga") in actions_logged and ("invitation.issue", "olga") in actions_logged
    assert ("invitation.accept", "fatou") in actions_logged


def test_an_expired_link_says_so(world, olga):
    membership, raw = actions.invite_user(olga, world.be_office, **{**INVITE, "countries": ["BE"]})
    Invitation.objects.filter(membership=membership).update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    page = Client().get(reverse("invitation_accept", args=[raw]))
    assert page.status_code == 410 and "expired" in page.content.decode()
    post = Client().post(
        reverse("invitation_accept", args=[raw]), {"password": GOOD_PASSWORD, "repeat": GOOD_PASSWORD}
    )
    assert post.status_code == 410 and not User.objects.get(username="fatou").is_active


def test_an_unknown_link_is_not_valid(db):
    page = Client().get(reverse("invitation_accept", args=["not-a-token"]))
    assert page.status_code == 404 and "not valid" in page.content.decode()  # never was: not "gone"


def test_a_new_link_replaces_the_old_one(signed_in, world, olga):
    membership, old = actions.invite_user(olga, world.be_office, **INVITE)
    client = signed_in(olga)
    url = reverse("member_detail", args=[world.be_office.pk, membership.user_id])
    page = client.post(url, {"step": "new_link"}, follow=True).content.decode()
    new = re.search(r'value="(http://testserver/invitation/[^"]+/)"', page)
    assert new and old not in new.group(1)
    replaced = Client().get(reverse("invitation_accept", args=[old]))
    assert replaced.status_code == 410 and "replaced by a newer one" in replaced.content.decode()
    assert Client().get(new.group(1)).status_code == 200
    # The log says the first link ended (it showed two links made, and nothing more).
    from remis.audit.models import AuditEntry

    first = membership.invitations.order_by("pk")[0]
    assert AuditEntry.objects.filter(action="invitation.revoke", object_id=str(first.pk), actor=olga).exists()


def test_a_revoked_link_no_longer_works_and_the_user_stays_invited(signed_in, world, olga):
    membership, raw = actions.invite_user(olga, world.be_office, **INVITE)
    url = reverse("member_detail", args=[world.be_office.pk, membership.user_id])
    assert signed_in(olga).post(url, {"step": "revoke"}).status_code == 302
    assert Client().get(reverse("invitation_accept", args=[raw])).status_code == 410
    assert Membership.objects.get(pk=membership.pk).status == "invited"
    assert AuditEntry.objects.filter(action="invitation.revoke", actor=olga).exists()


def test_withdrawing_an_invitation_never_accepted_removes_that_user(signed_in, world, olga):
    membership, raw = actions.invite_user(olga, world.be_office, **INVITE)
    url = reverse("member_detail", args=[world.be_office.pk, membership.user_id])
    assert signed_in(olga).post(url, {"step": "withdraw"}).status_code == 302
    assert not User.objects.filter(username="fatou").exists()
    assert AuditEntry.objects.filter(action="invitation.withdraw", actor=olga).exists()
    assert Client().get(reverse("invitation_accept", args=[raw])).status_code == 404  # gone with it


def test_an_accepted_invitation_cannot_be_withdrawn(api, world, olga):
    membership, raw = actions.invite_user(olga, world.be_office, **INVITE)
    actions.accept_invitation(raw, password=GOOD_PASSWORD)
    response = api.as_(olga).delete(f"/organisation/{world.be_office.pk}/users/{membership.user_id}")
    assert response.status_code == 422 and fields_of(response) == ["status"]
    assert User.objects.filter(username="fatou").exists()


def test_the_api_invites_and_names_the_fields_at_fault(api, world, olga):
    path = f"/organisation/{world.be_office.pk}/invitations"
    api.as_(olga)
    bad = api.post(path, {**INVITE, "username": "fa tou", "email": "not-an-email", "countries": ["ZZ"]})
    assert bad.status_code == 422 and set(fields_of(bad)) == {"username", "email", "countries"}
    nowhere = api.post(path, {**INVITE, "countries": []})
    assert nowhere.status_code == 422 and fields_of(nowhere) == ["countries"]
    taken = api.post(path, {**INVITE, "username": "Alice"})
    assert taken.status_code == 409 and fields_of(taken) == ["username"]
    done = api.post(path, INVITE)
    assert done.status_code == 201
    body = done.json()
    assert body["member"]["status"] == "invited" and body["link"].startswith("http://testserver/invitation/")
    assert Client().get(body["link"]).status_code == 200


def test_the_invite_form_offers_no_platform_role_and_names_missing_fields(signed_in, world, olga):
    client = signed_in(olga)
    page = client.get(reverse("member_invite", args=[world.be_office.pk])).content.decode()
    assert 'value="counsellor"' in page and 'value="platform_operator"' not in page
    response, _link = _invite(client, world.be_office.pk, username="", countries=[])
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_username_error"' in body and 'id="id_countries_error"' in body


def test_the_invite_form_names_a_bad_username_with_the_other_errors(signed_in, world, olga):
    """A username with a space was named only after the email and countries were put right."""
    client = signed_in(olga)
    response, _link = _invite(
        client, world.be_office.pk, username="Jean Dupont!", email="jean@@x", countries=[]
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Use 2 to 150 letters (a–z), digits" in body
    assert 'id="id_email_error"' in body and 'id="id_countries_error"' in body
    assert not User.objects.filter(username="Jean Dupont!").exists()


def test_an_invitation_to_a_deactivated_organisation_waits_for_it(signed_in, world, olga):
    """Accepted, it made an active member of an organisation whose access had ended."""
    from remis.accounts.actions.platform import set_organisation_active
    from remis.accounts.system import system_actor

    _response, link = _invite(signed_in(olga), world.be_office.pk)
    organisation = type(world.be_office).objects.get(pk=world.be_office.pk)
    set_organisation_active(system_actor(), organisation, active=False, version=organisation.version)
    refused = Client().post(link, {"password": GOOD_PASSWORD, "repeat": GOOD_PASSWORD})
    assert refused.status_code == 410 and "IOM Belgium is deactivated" in refused.content.decode()
    assert Membership.objects.get(user__username="fatou").status == "invited"
    organisation.refresh_from_db()
    set_organisation_active(system_actor(), organisation, active=True, version=organisation.version)
    done = Client().post(link, {"password": GOOD_PASSWORD, "repeat": GOOD_PASSWORD})
    assert done.status_code == 302
