"""Every change to the map is audited; two people editing the same provider cannot
overwrite each other silently."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from remis.audit.models import AuditEntry
from remis.lib.errors import Conflict
from remis.services import actions
from remis.services.tests.factories import make_provider, make_stakeholder, provider_values

pytestmark = pytest.mark.django_db


def test_creating_editing_and_scoring_a_provider_are_audited(bob):
    provider = make_provider(bob)
    entry = AuditEntry.objects.get(action="services.provider_create")
    assert entry.actor == bob and entry.object_id == str(provider.pk)
    assert entry.changes["name"][1] == provider.name and "sectors" in entry.changes

    changes = actions.update_provider(bob, provider, {"opening_hours": "Mon–Sat"}, provider.version)
    assert set(changes) == {"opening_hours"}
    entry = AuditEntry.objects.get(action="services.provider_update")
    assert entry.changes["opening_hours"] == ["Mon–Fri 8:00–16:00", "Mon–Sat"]

    actions.record_quality_assessment(bob, provider, assessed_on=dt.date(2026, 6, 1), score=4, notes="ok")
    entry = AuditEntry.objects.get(action="services.quality_assessment")
    assert entry.changes["score"] == [None, 4]


def test_contact_details_are_sealed_in_the_log(bob):
    make_provider(bob)
    entry = AuditEntry.objects.get(action="services.provider_create")
    assert {"contact_person", "phone", "email"} <= set(entry.personal_fields)
    assert "Synthétique" not in str(entry.changes["contact_person"])


def test_an_untouched_save_writes_nothing(bob):
    provider = make_provider(bob)
    assert actions.update_provider(bob, provider, provider_values(), provider.version) == {}
    provider.refresh_from_db()
    assert provider.version == 1
    assert not AuditEntry.objects.filter(action="services.provider_update").exists()


def test_changing_only_the_sectors_is_a_new_version(bob):
    provider = make_provider(bob)
    actions.update_provider(bob, provider, {"sectors": ["education", "employment"]}, 1)
    provider.refresh_from_db()
    assert provider.version == 2
    assert sorted(provider.sectors.values_list("code", flat=True)) == ["education", "employment"]


def test_the_second_of_two_edits_from_the_same_version_is_refused(bob, hana):
    provider = make_provider(bob)
    read_by_both = provider.version
    actions.update_provider(hana, provider, {"capacity": "40 trainees"}, read_by_both)
    with pytest.raises(Conflict):
        actions.update_provider(bob, provider, {"capacity": "10 trainees"}, read_by_both)
    provider.refresh_from_db()
    assert provider.capacity == "40 trainees" and provider.version == read_by_both + 1


def test_a_stale_stakeholder_edit_is_refused(bob):
    stakeholder = make_stakeholder(bob)
    actions.update_stakeholder(bob, stakeholder, {"partnership_status": "active"}, 1)
    with pytest.raises(Conflict):
        actions.update_stakeholder(bob, stakeholder, {"interest": "Other"}, 1)
    assert AuditEntry.objects.filter(action="services.stakeholder_update").count() == 1


def test_the_api_answers_409_to_a_stale_version(api_client, bob):
    provider = make_provider(bob)
    api = api_client.as_(bob)
    first = api.patch(f"/services/providers/{provider.uuid}", {"phone": "+224 620 00 00 01", "version": 1})
    assert first.status_code == 200 and first.json()["version"] == 2
    second = api.patch(f"/services/providers/{provider.uuid}", {"phone": "+224 620 00 00 02", "version": 1})
    assert second.status_code == 409
    assert second.json()["errors"][0]["field"] == "version"
    provider.refresh_from_db()
    assert provider.phone == "+224 620 00 00 01"


def test_the_edit_form_says_someone_saved_first(signed_in, bob, hana):
    provider = make_provider(bob)
    actions.update_provider(hana, provider, {"capacity": "40 trainees"}, 1)
    data = {
        **provider_values(capacity="10"),
        "last_verified_on": "2026-10-01",
        "version": "1",
        "active": "on",
    }
    response = signed_in(bob).post(reverse("provider_edit", args=[provider.uuid]), data)
    assert response.status_code == 200
    assert "Someone else saved this record" in response.content.decode()
    provider.refresh_from_db()
    assert provider.capacity == "40 trainees"
