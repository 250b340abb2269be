"""Anyone in an organisation reads the map; services.manage changes it, only in the countries
of the membership that holds it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from remis.accounts.system import system_actor
from remis.audit.models import AuditEntry
from remis.lib.errors import PermissionDenied
from remis.services import actions
from remis.services.models import Provider, Stakeholder
from remis.services.tests.factories import make_provider, make_stakeholder, provider_values

pytestmark = pytest.mark.django_db


def test_a_role_without_services_manage_cannot_add_a_provider_and_nothing_is_written(alice):
    with pytest.raises(PermissionDenied):
        actions.create_provider(alice, provider_values())
    assert not Provider.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="services.").exists()


def test_a_case_worker_adds_providers_in_their_country_but_not_in_another(bob):
    assert make_provider(bob).country == "GN"
    with pytest.raises(PermissionDenied):
        actions.create_provider(bob, provider_values(country="SN", name="Dakar centre"))
    assert list(Provider.objects.values_list("country", flat=True)) == ["GN"]


def test_a_provider_of_another_country_cannot_be_edited_nor_scored(bob):
    provider = make_provider(country="SN")
    with pytest.raises(PermissionDenied):
        actions.update_provider(bob, provider, {"name": "Renamed"}, provider.version)
    with pytest.raises(PermissionDenied):
        actions.record_quality_assessment(bob, provider, assessed_on=provider.last_verified_on, score=4)
    provider.refresh_from_db()
    assert provider.name != "Renamed" and not provider.quality.exists()


def test_moving_a_provider_needs_both_countries(bob, hana):
    provider = make_provider(bob)
    with pytest.raises(PermissionDenied):
        actions.update_provider(bob, provider, {"country": "SN"}, provider.version)
    provider.refresh_from_db()
    assert provider.country == "GN"
    actions.update_provider(hana, provider, {"country": "SN"}, provider.version)
    provider.refresh_from_db()
    assert provider.country == "SN"


def test_a_membership_with_all_countries_edits_everywhere(hana):
    provider = actions.create_provider(hana, provider_values(country="IQ", area_1="Erbil"))
    stakeholder = actions.create_stakeholder(
        hana, {"name": "Erbil Chamber", "kind": "private", "country": "IQ"}
    )
    assert provider.pk and stakeholder.pk


def test_stakeholders_follow_the_same_rule(alice, bob):
    with pytest.raises(PermissionDenied):
        make_stakeholder(alice)
    stakeholder = make_stakeholder(system_actor(), country="SN")
    with pytest.raises(PermissionDenied):
        actions.update_stakeholder(bob, stakeholder, {"interest": "x"}, stakeholder.version)
    assert Stakeholder.objects.get().interest != "x"


def test_pages_refuse_editing_to_readers_and_outside_the_country(signed_in, alice, bob):
    provider = make_provider(country="SN")
    client = signed_in(alice)
    assert client.get(reverse("provider_list")).status_code == 200
    assert client.get(reverse("provider_detail", args=[provider.uuid])).status_code == 200
    assert client.get(reverse("provider_create")).status_code == 403
    response = client.post(reverse("provider_create"), {"name": "X"})
    assert response.status_code == 403 and not Provider.objects.filter(name="X").exists()
    client = signed_in(bob)
    assert client.get(reverse("provider_edit", args=[provider.uuid])).status_code == 403
    response = client.post(
        reverse("provider_detail", args=[provider.uuid]), {"assessed_on": "2026-01-01", "score": "4"}
    )
    assert response.status_code == 403 and not provider.quality.exists()


def test_someone_without_a_membership_does_not_read_the_map(client, world):
    from remis.accounts import actions as accounts
    from remis.cases.tests.factories import PASSWORD

    accounts.create_user(system_actor(), username="loner", password=PASSWORD)
    make_provider()
    assert client.login(username="loner", password=PASSWORD)
    assert client.get(reverse("provider_list")).status_code == 403
    assert client.get(reverse("country_sheet", args=["GN"])).status_code == 403


def test_the_api_answers_403_to_a_reader_writing_and_nothing_changes(api_client, alice):
    response = api_client.as_(alice).post(
        "/services/providers", {**provider_values(), "last_verified_on": None}
    )
    assert response.status_code == 403
    assert response.json()["detail"]
    assert not Provider.objects.exists()


def test_the_services_link_is_offered_to_members_only(client, world, signed_in, alice):
    from django.urls import reverse

    from remis.accounts import actions as accounts
    from remis.accounts.system import system_actor
    from remis.cases.tests.factories import PASSWORD

    assert 'href="/services/"' in signed_in(alice).get(reverse("dashboard")).content.decode()
    loner = accounts.create_user(system_actor(), username="loner", password=PASSWORD)
    client.logout()
    assert client.login(username=loner.username, password=PASSWORD)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'href="/services/"' not in page
    assert client.get(reverse("provider_list")).status_code == 403


def test_a_stakeholder_in_a_country_not_managed_is_refused_on_the_field_keeping_the_form(signed_in, bob):
    """A bare 403 page lost what was typed, as the provider form once did; and an untouched
    kind is a choice to make, not "Government"."""
    client = signed_in(bob)
    blank = client.get(reverse("stakeholder_create")).content.decode()
    kind = blank.split('name="kind"')[1].split("</select>")[0]
    assert '<option value="" selected>—</option>' in kind
    values = {"name": "Erbil Chamber of Commerce", "kind": "private", "country": "IQ", "capacity": "Training"}
    values["partnership_status"] = "none"
    response = client.post(reverse("stakeholder_create"), values)
    page = response.content.decode()
    assert response.status_code == 200 and "Erbil Chamber of Commerce" in page and "Training" in page
    error = page.split('id="id_country_error"')[1].split("</div>")[0]
    assert "Your role cannot change the service map in this country." in error
    assert not Stakeholder.objects.exists()
    untouched = client.post(reverse("stakeholder_create"), {**values, "kind": "", "country": "GN"})
    assert untouched.status_code == 200 and not Stakeholder.objects.exists()
