"""Someone who already has an account (in another organisation) is invited by username and
joins only when they accept, signed in. An administrator anywhere had made anyone a member
of their organisation at once, read their name and email, and no link is ever made for
such an invitation: a link sets the account's password."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from remis.accounts import actions
from remis.accounts.models import Membership, MembershipStatus, PasswordLink, User
from remis.accounts.scope import grants_for
from remis.accounts.tests.conftest import fields_of
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import PASSWORD
from remis.lib.errors import Conflict, ValidationFailed

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    from remis.accounts.tests.second_factor import passed_second_factor

    client = Client()
    client.force_login(user)
    passed_second_factor(client, user)
    return client


def _invite_dave(olga: User, world: Any) -> Membership:
    return actions.add_existing_member(
        olga,
        world.be_office,
        username="DAVE ",
        role="viewer",
        countries=["BE"],
    )


def test_an_invited_account_holder_gets_nothing_until_they_accept(world, olga, dave):
    dave.last_name, dave.email = "Verhoeven", "dave@example.org"
    dave.save()
    page = _client(olga).post(
        reverse("member_add_existing", args=[world.be_office.pk]),
        {"username": "dave", "role": "viewer", "countries": ["BE"]},
        follow=True,
    )
    text = page.content.decode()
    assert "dave is invited: the membership starts when they accept it in REMIS." in text
    membership = Membership.objects.get(user=dave, organisation=world.be_office)
    assert membership.status == MembershipStatus.INVITED and not membership.invitations.exists()
    assert {g.organisation_id for g in grants_for(User.objects.get(pk=dave.pk))} == {world.nl_office.pk}
    # The inviting organisation knows the username it typed, not the name, email or employer.
    assert "Verhoeven" not in text and "dave@example.org" not in text and "IOM Netherlands" not in text
    assert "Make a new link" not in text and "Withdraw the invitation" in text
    admin = _client(olga)
    listed = admin.get(reverse("member_list", args=[world.be_office.pk])).content.decode()
    assert "Verhoeven" not in listed and ">dave<" in listed
    searched = admin.post(reverse("member_list", args=[world.be_office.pk]), {"q": "Verhoeven"}, follow=True)
    assert ">dave<" not in searched.content.decode()  # not found by the name it does not show
    admin_api = admin.get(f"/api/v1/organisation/{world.be_office.pk}/users/{dave.pk}", **_bearer(olga))
    assert admin_api.json()["status"] == "invited"
    assert (admin_api.json()["last_name"], admin_api.json()["email"]) == ("", "")

    own = _client(dave)
    home = own.get(reverse("dashboard")).content.decode()
    assert "An organisation invites you to join it." in home
    invited = own.get(reverse("your_organisations")).content.decode()
    assert "IOM Belgium" in invited and "Viewer" in invited and "Belgium" in invited
    me = own.get("/api/v1/me", **_bearer(dave)).json()
    assert [i["organisation"] for i in me["invitations"]] == ["IOM Belgium"]
    assert [m["organisation"] for m in me["memberships"]] == ["IOM Netherlands"]

    sent = {"organisation": world.be_office.pk, "answer": "accept", "version": membership.version}
    done = own.post(reverse("your_organisations"), sent, follow=True).content.decode()
    assert "You are now a member of IOM Belgium." in done and "invites you" not in done
    assert {g.organisation_id for g in grants_for(User.objects.get(pk=dave.pk))} == {
        world.be_office.pk,
        world.nl_office.pk,
    }
    accepted = AuditEntry.objects.get(action="membership.accept")
    assert accepted.actor_id == dave.pk and accepted.changes == {"status": ["invited", "active"]}
    shown = admin.get(reverse("member_detail", args=[world.be_office.pk, dave.pk])).content.decode()
    assert "Verhoeven" in shown and "dave@example.org" in shown
    again = own.post(reverse("your_organisations"), {"organisation": world.be_office.pk, "answer": "decline"})
    assert Membership.objects.get(user=dave, organisation=world.be_office).status == MembershipStatus.ACTIVE
    assert "answered or withdrawn" in own.get(again["Location"]).content.decode()


def _bearer(user: User) -> dict[str, Any]:
    _token, raw = actions.issue_api_token(user, name="t", access="read_write")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_declining_removes_the_invitation_and_keeps_the_account(world, olga, dave):
    _invite_dave(olga, world)
    with pytest.raises(Conflict):  # only the invitee answers: another user finds nothing
        actions.answer_invitation(olga, world.be_office.pk, accept=True)
    actions.answer_invitation(dave, world.be_office.pk, accept=False)
    assert not Membership.objects.filter(user=dave, organisation=world.be_office).exists()
    assert User.objects.get(pk=dave.pk).is_active
    declined = AuditEntry.objects.get(action="membership.decline")
    assert declined.actor_id == dave.pk and declined.organisation_id == world.be_office.pk
    # Invited again later, as anyone may be once more.
    assert _invite_dave(olga, world).status == MembershipStatus.INVITED


def test_no_link_is_ever_made_for_an_account_that_has_a_password(world, olga, dave):
    membership = _invite_dave(olga, world)
    for step in (actions.reissue_invitation, actions.revoke_invitation):
        with pytest.raises(ValidationFailed, match="already have an account"):
            step(olga, membership)
    page = _client(olga).post(
        reverse("member_detail", args=[world.be_office.pk, dave.pk]), {"step": "new_link"}, follow=True
    )
    assert "already have an account" in page.content.decode()
    assert not membership.invitations.exists()
    assert User.objects.get(pk=dave.pk).check_password(PASSWORD)


def test_the_administrator_withdraws_an_invitation_not_yet_accepted(world, olga, dave):
    membership = _invite_dave(olga, world)
    actions.withdraw_invitation(olga, membership)
    assert not Membership.objects.filter(user=dave, organisation=world.be_office).exists()
    assert User.objects.filter(pk=dave.pk, is_active=True).exists()  # their account stays
    with pytest.raises(Conflict, match="answered or withdrawn"):
        actions.answer_invitation(dave, world.be_office.pk, accept=True)


def test_the_api_invites_and_refuses_as_the_page_does(api, world, olga, dave):
    api.as_(olga)
    made = api.post(
        f"/organisation/{world.be_office.pk}/users",
        {"username": "dave", "role": "viewer", "countries": ["BE"]},
    )
    assert made.status_code == 201
    assert (made.json()["status"], made.json()["first_name"], made.json()["email"]) == ("invited", "", "")
    again = api.post(
        f"/organisation/{world.be_office.pk}/users",
        {"username": "dave", "role": "viewer", "countries": ["BE"]},
    )
    assert again.status_code == 409 and fields_of(again) == ["username"]
    nobody = api.post(
        f"/organisation/{world.be_office.pk}/users",
        {"username": "ghost", "role": "viewer", "countries": ["BE"]},
    )
    assert nobody.status_code == 422 and fields_of(nobody) == ["username"]
    system = api.post(
        f"/organisation/{world.be_office.pk}/users",
        {"username": "system", "role": "viewer", "all_countries": True},
    )
    assert system.status_code == 422
    assert AuditEntry.objects.filter(action="membership.invite", actor=olga).count() == 1


def test_nothing_of_an_invited_account_reaches_the_inviting_organisation(world, olga, dave):
    """Their audit entries, their name in the case worker filter, their home organisation
    in a refusal: each reached the inviting organisation before the person had accepted."""
    from remis.audit.queries import searchable_entries
    from remis.cases.queries import case_workers_of

    actions.set_language(dave, "fr")  # an entry naming no organisation, by dave
    membership = _invite_dave(olga, world)
    assert not searchable_entries(olga).filter(actor=dave).exists()
    assert dave not in case_workers_of([world.be_office.pk])
    from remis.accounts.actions import sign_in
    from remis.lib.errors import PermissionDenied

    with pytest.raises(PermissionDenied) as refused:
        sign_in.make_password_link(olga, world.be_office, dave.pk)
    assert "IOM Netherlands" not in refused.value.message and "not accepted" in refused.value.message
    listed = _client(olga).get(reverse("member_list", args=[world.be_office.pk])).content.decode()
    assert "No valid link" not in listed  # no link is ever made for them: none expired
    actions.answer_invitation(dave, world.be_office.pk, accept=True, expected_version=membership.version)
    assert searchable_entries(olga).filter(actor=dave).exists()  # a colleague now


def test_accepting_takes_the_invitation_as_it_was_read(world, olga, dave):
    """The administrator made it an administrator's role for all countries after the
    invitee opened the page: accepting from that page is refused, and says why."""
    membership = _invite_dave(olga, world)
    read = membership.version
    actions.update_membership(olga, membership, version=read, role="administrator", all_countries=True)
    own = _client(dave)
    sent = own.post(
        reverse("your_organisations"),
        {"organisation": world.be_office.pk, "answer": "accept", "version": read},
        follow=True,
    ).content.decode()
    assert "changed since you read it" in sent
    assert Membership.objects.get(pk=membership.pk).status == MembershipStatus.INVITED
    with pytest.raises(Conflict):
        actions.answer_invitation(dave, world.be_office.pk, accept=True)  # no version: not taken blind


@pytest.mark.parametrize("sent", ["²", "99999999999999999999999", "-1", " 1", "٣"])
def test_an_odd_number_sent_by_hand_names_nothing_and_is_no_server_error(world, olga, dave, sent):
    _invite_dave(olga, world)
    answered = _client(dave).post(reverse("your_organisations"), {"organisation": sent, "answer": "accept"})
    assert answered.status_code == 302
    page = reverse("member_detail", args=[world.be_office.pk, world.alice.pk])
    admin = _client(olga)
    assert admin.post(page, {"step": "revoke_token", "token": sent}).status_code == 302
    assert admin.post(page, {"step": "deactivate", "version": sent}).status_code in (302, 400, 409)
    assert Membership.objects.get(user=dave, organisation=world.be_office).status == MembershipStatus.INVITED


def test_an_account_whose_first_organisation_was_deactivated_is_managed_by_the_next(world, olga, alice, nils):
    """Its administrators, with no access left, were the only ones who could make a
    password link or reset the second factor: nobody could."""
    from remis.accounts.actions import sign_in

    actions.add_existing_member(nils, world.nl_office, username="alice", role="viewer", countries=["NL"])
    invited = Membership.objects.get(user=alice, organisation=world.nl_office)
    actions.answer_invitation(alice, world.nl_office.pk, accept=True, expected_version=invited.version)
    actions.set_organisation_active(
        world.admin, world.be_office, active=False, version=world.be_office.version
    )
    sign_in.make_password_link(nils, world.nl_office, alice.pk)  # refused before: "managed by IOM Belgium"
    assert PasswordLink.objects.filter(user=alice).exists()


def test_resetting_a_second_factor_ends_the_members_open_sessions(world, olga, alice):
    """A session left open (the lost phone's browser) went straight to enrolling a new
    authenticator, without the password."""
    from remis.accounts.actions import two_factor
    from remis.accounts.tests.second_factor import authenticator

    authenticator(alice)
    session = _client(alice)
    assert session.get(reverse("dashboard")).status_code == 200
    assert two_factor.reset_two_factor(olga, world.be_office, alice.pk)
    after = session.get(reverse("dashboard"))
    assert after.status_code == 302 and "/accounts/login/" in after["Location"]


def test_the_api_searches_members_by_name_in_a_body_never_in_the_address(api, world, olga, alice):
    """`GET …/users?q=Quentin` put a staff member's name in the address and the access log."""
    api.as_(olga)
    found = api.post(f"/organisation/{world.be_office.pk}/users/search", {"q": "Alice"})
    assert found.status_code == 200 and [m["username"] for m in found.json()["items"]] == ["alice"]
    in_address = api.get(f"/organisation/{world.be_office.pk}/users", q="Alice")
    assert in_address.status_code == 422 and fields_of(in_address) == ["q"]
    # The refusal says where searching is (it said only "not known here").
    said = in_address.json()["errors"][0]["message"]
    assert f"POST to /api/v1/organisation/{world.be_office.pk}/users/search" in said, said
    cases = api.get("/cases", q="Alice").json()["errors"][0]["message"]
    assert "POST to /api/v1/cases/search" in cases, cases
    elsewhere = api.get("/referrals", q="Alice")  # a list with no search: as before
    assert "not known here" in elsewhere.json()["errors"][0]["message"]


def test_a_thirty_digit_id_in_a_list_of_choices_is_refused_not_a_server_error(world, olga):
    """Vulnerabilities, case workers and funders are chosen by id: thirty digits overflowed
    the database's integer and answered 500."""
    from remis.cases.forms import CaseDetailsForm

    huge = "1" * 30
    form = CaseDetailsForm({"vulnerabilities": [huge], "assigned_workers": [huge], "version": "1"})
    assert not form.is_valid()
    assert "vulnerabilities" in form.errors and "is not a valid value" in str(form.errors["vulnerabilities"])
