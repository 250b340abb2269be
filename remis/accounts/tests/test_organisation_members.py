"""An organisation's administrators manage its members, and only its members: role and
countries, deactivation and reactivation; never a platform role, never the last
administrator; two administrators editing one membership do not overwrite each other."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from remis.accounts import actions
from remis.accounts.models import Membership, Organisation, User
from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_for, has_perm
from remis.accounts.tests.conftest import fields_of
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _membership(user: User) -> Membership:
    return Membership.objects.get(user=user)


def test_an_administrator_lists_searches_and_filters_the_organisations_users(signed_in, world, olga):
    client = signed_in(olga)
    url = reverse("member_list", args=[world.be_office.pk])
    page = client.get(url).content.decode()
    assert "Alice" in page and "Carol" in page and "Dave" not in page and "Bob" not in page
    searched = client.post(url, {"q": "car"})
    assert searched.status_code == 302 and "car" not in searched.url  # no name in a URL
    found = client.get(searched.url).content.decode()
    assert "Carol" in found and "Alice" not in found
    assert "Alice" in client.get(url, {"q": "car"}).content.decode()  # ?q= is not searched
    by_role = client.get(url, {"role": "counsellor"}).content.decode()
    assert "Alice" in by_role and "Carol" not in by_role
    # A role that cannot be read is named and lists nobody (everyone was listed under it).
    refused = client.get(url, {"role": "Counsellor"}).content.decode()
    assert "Select a valid choice" in refused and "Alice" not in refused and "Carol" not in refused
    actions.invite_user(
        olga,
        world.be_office,
        username="fatou",
        first_name="Fatou",
        last_name="Ndiaye",
        role="counsellor",
        countries=["BE"],
    )
    invited = client.get(url, {"status": "invited"}).content.decode()
    assert "Fatou" in invited and "Alice" not in invited
    assert "No user matches these filters." in client.get(client.post(url, {"q": "zzz"}).url).content.decode()


def test_the_users_link_leads_an_administrator_to_their_organisation(signed_in, world, olga):
    client = signed_in(olga)
    assert reverse("my_organisation") in client.get(reverse("dashboard")).content.decode()
    response = client.get(reverse("my_organisation"))
    assert response["Location"] == reverse("member_list", args=[world.be_office.pk])


def test_another_organisations_users_are_not_found(signed_in, api, world, olga, dave):
    client = signed_in(olga)
    assert client.get(reverse("member_list", args=[world.nl_office.pk])).status_code == 404
    assert client.get(reverse("member_detail", args=[world.be_office.pk, dave.pk])).status_code == 404
    api.as_(olga)
    assert api.get(f"/organisation/{world.nl_office.pk}/users").status_code == 404
    response = api.patch(
        f"/organisation/{world.nl_office.pk}/users/{dave.pk}", {"version": 1, "role": "viewer"}
    )
    assert response.status_code == 404
    assert _membership(dave).role_id == "counsellor"


def test_a_member_without_the_right_is_refused(signed_in, api, world, carol, alice):
    assert signed_in(carol).get(reverse("member_list", args=[world.be_office.pk])).status_code == 403
    assert reverse("my_organisation") not in signed_in(carol).get(reverse("dashboard")).content.decode()
    response = api.as_(carol).post(f"/organisation/{world.be_office.pk}/users/{alice.pk}/deactivate", {})
    assert response.status_code == 403
    assert _membership(alice).status == "active"


def test_an_administrator_changes_a_members_role_and_countries(signed_in, world, olga, alice):
    membership = _membership(alice)
    url = reverse("member_detail", args=[world.be_office.pk, alice.pk])
    response = signed_in(olga).post(
        url, {"role": "case_worker", "countries": ["BE", "GN"], "version": str(membership.version)}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.role_id, membership.countries, membership.version) == ("case_worker", ["BE", "GN"], 2)
    fresh = User.objects.get(pk=alice.pk)
    assert has_perm(fresh, Perm.CASE_RECEPTION) and not has_perm(fresh, Perm.CASE_REGISTER)
    entry = AuditEntry.objects.get(action="membership.update")
    assert entry.actor == olga and entry.organisation_id == world.be_office.pk
    assert entry.changes["role"] == ["counsellor", "case_worker"]


def test_two_administrators_editing_one_membership_do_not_overwrite_each_other(api, world, olga, alice):
    second_admin = make_user("sami", world.be_office, "administrator", ["BE"])
    path = f"/organisation/{world.be_office.pk}/users/{alice.pk}"
    version = api.as_(olga).get(path).json()["version"]
    first = api.patch(path, {"version": version, "countries": ["BE", "NL"]})
    assert first.status_code == 200
    second = api.as_(second_admin).patch(path, {"version": version, "role": "me_officer"})
    assert second.status_code == 409 and fields_of(second) == ["version"]
    assert (_membership(alice).role_id, _membership(alice).countries) == ("counsellor", ["BE", "NL"])


def test_all_countries_and_a_list_of_countries_at_once_are_refused_not_half_kept(api, world, olga, alice):
    """The countries were dropped without a word, and the member read every country."""
    path = f"/organisation/{world.be_office.pk}/users/{alice.pk}"
    both = api.as_(olga).patch(path, {"version": 1, "all_countries": True, "countries": ["GN"]})
    assert both.status_code == 422 and fields_of(both) == ["countries"]
    assert (_membership(alice).all_countries, _membership(alice).countries) == (False, ["BE"])
    assert api.patch(path, {"version": 1, "all_countries": True}).status_code == 200


def test_an_administrator_cannot_give_a_platform_role(api, world, olga, alice):
    response = api.as_(olga).patch(
        f"/organisation/{world.be_office.pk}/users/{alice.pk}", {"version": 1, "role": "platform_operator"}
    )
    assert response.status_code == 403
    assert _membership(alice).role_id == "counsellor"


def test_an_administrator_cannot_change_a_platform_operators_membership(api, world, olga, paul):
    response = api.as_(olga).post(f"/organisation/{world.be_office.pk}/users/{paul.pk}/deactivate", {})
    assert response.status_code == 403
    assert _membership(paul).status == "active"


def test_the_last_administrator_cannot_step_down_or_be_deactivated(signed_in, api, world, olga):
    # The demo's superuser is an administrator of the office too: make olga the last one.
    actions.deactivate_membership(olga, _membership(world.admin))
    path = f"/organisation/{world.be_office.pk}/users/{olga.pk}"
    api.as_(olga)
    demoted = api.patch(path, {"version": 1, "role": "counsellor"})
    assert demoted.status_code == 422 and fields_of(demoted) == ["role"]
    gone = api.post(f"{path}/deactivate", {})
    assert gone.status_code == 422 and "without an active administrator" in gone.json()["detail"]
    # The right in words, not its code ("a role holding organisation.manage").
    assert "organisation.manage" not in gone.json()["detail"]
    assert "Manage the organisation’s users and memberships" in gone.json()["detail"].replace("'", "’")
    page = signed_in(olga).post(
        reverse("member_detail", args=[world.be_office.pk, olga.pk]),
        {"role": "counsellor", "countries": ["BE"], "version": "1"},
    )
    assert page.status_code == 400 and "without an active administrator" in page.content.decode()
    assert _membership(olga).role_id == "administrator" and _membership(olga).status == "active"
    # The summary shows what is saved, not the refused role as if it were.
    summary = page.content.decode().split("<dt>Role</dt>")[1].split("</dd>")[0]
    assert "Administrator" in summary and "Counsellor" not in summary


def test_with_a_second_administrator_one_may_step_down(api, world, olga):
    make_user("sami", world.be_office, "administrator", ["BE"])
    actions.deactivate_membership(olga, _membership(world.admin))
    response = api.as_(olga).patch(
        f"/organisation/{world.be_office.pk}/users/{olga.pk}", {"version": 1, "role": "counsellor"}
    )
    assert response.status_code == 200
    assert not has_perm(User.objects.get(pk=olga.pk), Perm.ORGANISATION_MANAGE)


def test_a_deactivated_member_can_no_longer_sign_in_or_use_a_token(signed_in, world, olga, alice):
    _token, raw = actions.issue_api_token(alice, name="script")
    alice_browser = Client()
    assert alice_browser.login(username="alice", password=PASSWORD)
    url = reverse("member_detail", args=[world.be_office.pk, alice.pk])
    page = signed_in(olga).get(url).content.decode()
    assert 'data-confirm="Deactivate Alice?"' in page
    assert signed_in(olga).post(url, {"step": "deactivate", "version": "1"}).status_code == 302

    assert alice_browser.get(reverse("dashboard")).status_code == 302  # sent to sign in
    assert not Client().login(username="alice", password=PASSWORD)
    assert Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert grants_for(User.objects.get(pk=alice.pk)) == []
    assert {"membership.deactivate", "user.deactivate"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )

    assert signed_in(olga).post(url, {"step": "reactivate", "version": "2"}).status_code == 302
    assert Client().login(username="alice", password=PASSWORD)
    # What the deactivation ended stays ended: the browser left signed in was signed in
    # again, without password or code, and the token worked again.
    assert alice_browser.get(reverse("dashboard")).status_code == 302
    assert Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert AuditEntry.objects.filter(action="api_token.revoke", actor=olga).count() == 1


def test_a_member_of_two_organisations_keeps_signing_in_for_the_other(world, olga, alice):
    actions.add_membership(
        world.admin, user=alice, organisation=world.nl_office, role="counsellor", countries=["NL"]
    )
    actions.deactivate_membership(olga, _membership_in(alice, world.be_office))
    fresh = User.objects.get(pk=alice.pk)
    assert fresh.is_active and [g.organisation_id for g in grants_for(fresh)] == [world.nl_office.pk]


def _membership_in(user: User, organisation: Organisation) -> Membership:
    return Membership.objects.get(user=user, organisation=organisation)


def test_the_api_lists_members_with_paging_and_filters(api, world, olga):
    api.as_(olga)
    everyone = api.get(f"/organisation/{world.be_office.pk}/users", limit=2, sort="username").json()
    assert everyone["count"] == 4 and [m["username"] for m in everyone["items"]] == ["admin", "alice"]
    counsellors = api.get(f"/organisation/{world.be_office.pk}/users", role="counsellor").json()
    assert [m["username"] for m in counsellors["items"]] == ["alice"]
    bad = api.get(f"/organisation/{world.be_office.pk}/users", status="asleep")
    assert bad.status_code == 422 and fields_of(bad) == ["status"]
    unknown = api.get(f"/organisation/{world.be_office.pk}/users", role="wizard")
    assert unknown.status_code == 422 and fields_of(unknown) == ["role"]


def test_an_administrator_who_steps_down_is_taken_to_the_dashboard(signed_in, world, olga):
    client = signed_in(olga)
    url = reverse("member_detail", args=[world.be_office.pk, olga.pk])
    response = client.post(url, {"role": "counsellor", "countries": ["BE"], "version": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.get(url).status_code == 403  # still a member, no longer an administrator


def test_a_confirmation_names_the_member_as_written_escaped_once(signed_in, world, olga):
    """ "Deactivate Sara &lt;b&gt;x&lt;/b&gt;?" — the name was escaped twice in the dialog."""
    odd = make_user("sara", world.be_office, "viewer", ["BE"], last_name="D'Souza <b>x</b>")
    page = signed_in(olga).get(reverse("member_detail", args=[world.be_office.pk, odd.pk])).content.decode()
    assert 'data-confirm="Deactivate Sara D&#x27;Souza &lt;b&gt;x&lt;/b&gt;?"' in page
    assert "&amp;lt;" not in page and "&amp;#x27;" not in page


def test_a_stale_save_on_the_page_says_so_without_naming_the_hidden_version(signed_in, world, olga, alice):
    """It read "version: Someone else saved this record…": the hidden field's name."""
    url = reverse("member_detail", args=[world.be_office.pk, alice.pk])
    client = signed_in(olga)
    assert client.post(url, {"role": "case_worker", "countries": ["BE"], "version": "1"}).status_code == 302
    stale = client.post(url, {"role": "me_officer", "countries": ["BE"], "version": "1"})
    text = stale.content.decode()
    assert "Someone else saved" in text and "version: " not in text
    assert _membership(alice).role_id == "case_worker"


def test_an_arabic_page_lists_a_members_countries_with_the_arabic_comma(signed_in, world, olga):
    make_user("hala", world.be_office, "viewer", ["BE", "GN"])
    page = (
        signed_in(olga)
        .get(reverse("member_list", args=[world.be_office.pk]), HTTP_ACCEPT_LANGUAGE="ar")
        .content.decode()
    )
    assert "بلجيكا، غينيا" in page and "بلجيكا, غينيا" not in page


def test_a_role_change_sent_after_another_deactivated_the_member_says_so(signed_in, world, olga, alice):
    """The role form is not drawn for a deactivated member: its refusal was put on it, and
    the page came back with no word and no form."""
    from django.test import Client

    url = reverse("member_detail", args=[world.be_office.pk, alice.pk])
    other = make_user("otto", world.be_office, "administrator", ["BE"])
    second = Client()
    second.force_login(other)
    assert second.post(url, {"step": "deactivate", "version": "1"}).status_code == 302
    page = signed_in(olga).post(
        url, {"role": "case_worker", "countries": ["BE"], "version": "1"}, follow=True
    )
    text = page.content.decode()
    assert "Someone else saved" in text
    assert _membership(alice).role_id == "counsellor"
    deactivated = second.post(
        url, {"step": "reactivate", "version": str(_membership(alice).version)}, follow=True
    )
    assert f"{alice.get_full_name()} is active again." in deactivated.content.decode()


def test_the_name_sort_follows_the_names_as_the_list_writes_them(world, olga):
    """Sorted by last name while written "First Last": "Admin" (no last name) came first."""
    from remis.accounts.queries import MemberFilters, member_list

    make_user("zoe", world.be_office, "viewer", ["BE"], last_name="Abadie")  # "Zoe Abadie"
    make_user("ali", world.be_office, "viewer", ["BE"], last_name="Zongo")  # "Ali Zongo"
    names = [m.user.display_name for m in member_list(olga, world.be_office, MemberFilters(sort="name"))]
    assert names.index("Ali Zongo") < names.index("Zoe Abadie")


def test_the_role_filter_offers_the_roles_an_administrator_gives_or_members_hold(signed_in, world, olga):
    page = signed_in(olga).get(reverse("member_list", args=[world.be_office.pk])).content.decode()
    select = page.split('name="role"')[1].split("</select>")[0]
    assert 'value="counsellor"' in select and 'value="platform_operator"' not in select


def test_names_and_usernames_sort_whatever_their_capitals(world, olga):
    """ "de la Cruz" and "bah" (as typed by their administrator) came after every capital: the
    database compared bytes."""
    from remis.accounts.queries import MemberFilters, member_list

    make_user("aaron", world.be_office, "viewer", ["BE"], last_name="x")
    make_user("Zed", world.be_office, "viewer", ["BE"], last_name="Ba")
    make_user("yann", world.be_office, "viewer", ["BE"], last_name="y")
    User.objects.filter(username="aaron").update(first_name="bah")
    User.objects.filter(username="yann").update(first_name="Bz")

    def listed(sort: str) -> list[str]:
        return [m.user.username for m in member_list(olga, world.be_office, MemberFilters(sort=sort))]

    by_name = listed("name")
    assert by_name.index("aaron") < by_name.index("yann"), by_name  # "bah x" before "Bz y"
    by_username = listed("username")
    assert by_username == sorted(by_username, key=str.casefold), by_username
    assert by_username.index("aaron") < by_username.index("Zed")
