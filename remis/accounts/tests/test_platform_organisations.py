"""Platform operators keep the list of organisations: search, filters, paging, creation,
edits with optimistic locking, deactivation; nobody else may, and they see no case."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from remis.accounts import actions
from remis.accounts.models import Organisation, User
from remis.accounts.permissions import Perm
from remis.accounts.scope import has_perm
from remis.accounts.system import system_actor
from remis.accounts.tests.conftest import fields_of
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import register

pytestmark = pytest.mark.django_db


def test_an_operator_searches_and_filters_organisations(signed_in, world, paul):
    actions.set_organisation_active(paul, world.donor, active=False)
    client = signed_in(paul)
    page = client.get(reverse("organisation_list"), {"q": "iom"}).content.decode()
    assert "IOM Belgium" in page and "IOM Netherlands" in page and "Guinée Retour" not in page
    page = client.get(reverse("organisation_list"), {"active": "no"}).content.decode()
    assert "Donor Agency" in page and "IOM Belgium" not in page
    page = client.get(reverse("organisation_list"), {"kind": "ngo"}).content.decode()
    assert "Guinée Retour" in page and "IOM Belgium" not in page
    empty = client.get(reverse("organisation_list"), {"q": "nothing like this"}).content.decode()
    assert "No organisation matches these filters." in empty


def test_the_list_pages_by_25(signed_in, world, paul):
    for n in range(30):
        actions.create_organisation(system_actor(), name=f"Partner {n:02}", kind="ngo", country="GN")
    client = signed_in(paul)
    first = client.get(reverse("organisation_list"), {"q": "partner"}).content.decode()
    assert "Partner 24" in first and "Partner 25" not in first and "Page 1 of 2" in first
    second = client.get(reverse("organisation_list"), {"q": "partner", "page": "2"}).content.decode()
    assert "Partner 25" in second and "Partner 29" in second and "Page 2 of 2" in second


def test_an_operator_creates_an_organisation_and_it_is_audited(signed_in, world, paul):
    client = signed_in(paul)
    response = client.post(
        reverse("organisation_create"), {"name": "Sahel Relais", "kind": "ngo", "country": "NE"}
    )
    assert response.status_code == 302
    org = Organisation.objects.get(name="Sahel Relais")
    entry = AuditEntry.objects.get(action="organisation.create", object_id=str(org.pk))
    assert entry.actor == paul and entry.changes["country"] == [None, "NE"]


def test_a_taken_name_is_refused_on_its_field(signed_in, api, world, paul):
    page = signed_in(paul).post(
        reverse("organisation_create"), {"name": "iom belgium", "kind": "ngo", "country": "BE"}
    )
    assert page.status_code == 400 and "Another organisation already has this name." in page.content.decode()
    response = api.as_(paul).post(
        "/platform/organisations", {"name": "IOM Belgium", "kind": "ngo", "country": "XX"}
    )
    assert response.status_code == 422 and fields_of(response) == ["country"]
    response = api.post("/platform/organisations", {"name": "IOM Belgium", "kind": "ngo", "country": "BE"})
    assert response.status_code == 409 and fields_of(response) == ["name"]


def test_an_edit_from_an_outdated_read_is_a_conflict(api, world, paul):
    path = f"/platform/organisations/{world.gn_partner.pk}"
    version = api.as_(paul).get(path).json()["version"]
    first = api.patch(path, {"version": version, "name": "Guinée Retour"})
    assert first.status_code == 200 and first.json()["version"] == version + 1
    second = api.patch(path, {"version": version, "country": "SN"})
    assert second.status_code == 409 and fields_of(second) == ["version"]
    world.gn_partner.refresh_from_db()
    assert (world.gn_partner.name, world.gn_partner.country) == ("Guinée Retour", "GN")


def test_deactivating_an_organisation_ends_its_members_access(signed_in, world, paul):
    assert has_perm(User.objects.get(username="dave"), Perm.CASE_VIEW)
    client = signed_in(paul)
    response = client.post(
        reverse("organisation_edit", args=[world.nl_office.pk]), {"deactivate": "1", "version": "1"}
    )
    assert response.status_code == 302
    assert not has_perm(User.objects.get(username="dave"), Perm.CASE_VIEW)
    assert AuditEntry.objects.get(action="organisation.deactivate").actor == paul
    client.post(reverse("organisation_edit", args=[world.nl_office.pk]), {"activate": "1", "version": "2"})
    assert has_perm(User.objects.get(username="dave"), Perm.CASE_VIEW)


def test_the_deactivate_button_asks_first(signed_in, world, paul):
    page = signed_in(paul).get(reverse("organisation_edit", args=[world.nl_office.pk])).content.decode()
    assert 'data-confirm="Deactivate IOM Netherlands?' in page


def test_the_organisation_of_the_last_operator_cannot_be_deactivated(api, world, paul):
    response = api.as_(paul).patch(
        f"/platform/organisations/{world.be_office.pk}", {"version": 1, "active": False}
    )
    assert response.status_code == 422 and fields_of(response) == ["active"]
    world.be_office.refresh_from_db()
    assert world.be_office.active


@pytest.mark.parametrize("persona", ["olga", "alice"])
def test_others_cannot_manage_organisations(request, signed_in, api, world, persona):
    user = request.getfixturevalue(persona)
    assert signed_in(user).get(reverse("organisation_list")).status_code == 403
    assert api.as_(user).get("/platform/organisations").status_code == 403
    response = api.post("/platform/organisations", {"name": "Mine", "kind": "ngo", "country": "BE"})
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="Mine").exists()


def test_a_platform_operator_sees_no_case(signed_in, api, world, paul):
    register(world)
    client = signed_in(paul)
    cases = client.get(reverse("case_list"))
    assert b"BE-REAB" not in cases.content and "Diallo" not in cases.content.decode()
    assert api.as_(paul).get("/cases").json()["count"] == 0
    nav = client.get(reverse("dashboard")).content.decode()
    assert reverse("organisation_list") in nav and reverse("case_list") not in nav


def test_a_new_organisation_asks_its_type_and_country_instead_of_taking_the_first(signed_in, world, paul):
    """Only a name typed made an NGO in Afghanistan, the first of each list."""
    client = signed_in(paul)
    form = client.get(reverse("organisation_create")).context["form"]
    assert (form["kind"].value(), form["country"].value()) == (None, None)
    refused = client.post(reverse("organisation_create"), {"name": "Sahel Relais", "kind": "", "country": ""})
    errors = refused.context["form"].errors
    assert set(errors) == {"kind", "country"}
    assert not Organisation.objects.filter(name="Sahel Relais").exists()


def test_an_operator_invites_the_first_administrator_of_a_new_organisation(signed_in, api, world, paul, olga):
    """A new organisation had no administrator and nobody could ever add one: its users
    page was closed to the operator and `create_first_admin` refuses a used database."""
    client = signed_in(paul)
    created = client.post(
        reverse("organisation_create"), {"name": "Sahel Relais", "kind": "ngo", "country": "NE"}
    )
    org = Organisation.objects.get(name="Sahel Relais")
    assert created["Location"] == reverse("organisation_edit", args=[org.pk])
    page = client.get(created["Location"]).content.decode()
    assert "has no active administrator" in page
    url = reverse("organisation_first_admin", args=[org.pk])
    assert url in page

    refused = client.post(url, {"username": "olga", "first_name": "", "last_name": "Moussa"})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "The username “olga” is taken." in text
    assert "This field is required." in text  # every problem in one round
    invited = client.post(
        url, {"username": "amina", "first_name": "Amina", "last_name": "Moussa"}, follow=True
    )
    text = invited.content.decode()
    assert "Amina Moussa is invited as the administrator of Sahel Relais." in text
    # Left to right in every language: in Arabic the link read "/http://…", its last slash first.
    found = re.search(r'id="new-link" readonly dir="ltr" value="([^"]+)"', text)
    assert found is not None
    link = found.group(1)
    assert "Invited to administer it, not yet signed in: <bdi>Amina Moussa</bdi>" in text
    assert "has no active administrator" not in text  # waiting for her, not for nobody
    assert "new-link" not in client.get(reverse("organisation_edit", args=[org.pk])).content.decode()  # once

    token = link.rstrip("/").rsplit("/", 1)[-1]
    amina = actions.accept_invitation(token, password="a-long-new-password-2026")
    assert has_perm(amina, Perm.ORGANISATION_MANAGE)
    membership = amina.memberships.get()
    assert (membership.organisation, membership.role_id, membership.all_countries) == (
        org,
        "administrator",
        True,
    )
    assert AuditEntry.objects.filter(action="user.invite", actor=paul, object_id=str(amina.pk)).exists()
    # Now it has one: they invite its users, the operator no more.
    assert (
        "has no active administrator"
        not in client.get(reverse("organisation_edit", args=[org.pk])).content.decode()
    )
    again = client.post(url, {"username": "bako", "first_name": "Bako", "last_name": "Issa"}, follow=True)
    assert "Sahel Relais” has an administrator: they invite its users." in again.content.decode()
    assert not User.objects.filter(username="bako").exists()
    by_api = api.as_(paul).post(
        f"/platform/organisations/{world.donor.pk}/first-administrator",
        {"username": "dina", "first_name": "Dina", "last_name": "Ali"},
    )
    assert (
        by_api.status_code == 201 and "/invitation/" in by_api.json()["link"]
    ) or by_api.status_code == 201
    # Only operators: an organisation's administrator cannot make themselves one elsewhere.
    assert signed_in(olga).get(url).status_code == 403
    refused = api.as_(olga).post(
        f"/platform/organisations/{org.pk}/first-administrator",
        {"username": "x1", "first_name": "X", "last_name": "Y"},
    )
    assert refused.status_code == 403
