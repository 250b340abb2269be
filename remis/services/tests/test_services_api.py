"""/api/v1/services: the same actions and reads as the pages."""

from __future__ import annotations

import pytest

from remis.services.models import Provider, Stakeholder
from remis.services.tests.factories import make_provider, provider_values

pytestmark = pytest.mark.django_db


def test_a_case_worker_adds_reads_and_scores_a_provider(api_client, bob):
    api = api_client.as_(bob)
    body = {**provider_values(), "last_verified_on": "2026-10-01"}
    created = api.post("/services/providers", body)
    assert created.status_code == 201, created.json()
    provider = created.json()
    assert provider["sectors"] == ["vocational_training"] and provider["latitude"] == "9.509200"
    assert provider["version"] == 1

    read = api.get(f"/services/providers/{provider['uuid']}").json()
    assert read["name"] == body["name"] and read["last_verified_on"] == "2026-10-01"

    scored = api.post(
        f"/services/providers/{provider['uuid']}/quality",
        {"assessed_on": "2026-10-02", "score": 5, "notes": "Excellent"},
    )
    assert scored.status_code == 201 and scored.json()["recorded_by"] == "bob"
    history = api.get(f"/services/providers/{provider['uuid']}/quality").json()
    assert [(q["score"], q["notes"]) for q in history] == [(5, "Excellent")]


def test_a_patch_changes_only_what_is_sent(api_client, bob):
    provider = make_provider(bob)
    response = api_client.as_(bob).patch(
        f"/services/providers/{provider.uuid}", {"active": False, "version": provider.version}
    )
    assert response.status_code == 200
    provider.refresh_from_db()
    assert provider.active is False and provider.name == provider_values()["name"]
    assert list(provider.sectors.values_list("code", flat=True)) == ["vocational_training"]


def test_an_unknown_provider_is_404(api_client, alice):
    response = api_client.as_(alice).get("/services/providers/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404 and response.json()["detail"]


def test_stakeholders_are_listed_created_and_changed(api_client, bob):
    api = api_client.as_(bob)
    created = api.post(
        "/services/stakeholders",
        {"name": "Ministère de la Jeunesse", "kind": "government", "country": "gn", "interest": "Jobs"},
    )
    assert created.status_code == 201 and created.json()["country"] == "GN"
    stakeholder_id = created.json()["id"]
    changed = api.patch(
        f"/services/stakeholders/{stakeholder_id}", {"partnership_status": "active", "version": 1}
    )
    assert changed.status_code == 200 and changed.json()["partnership_status"] == "active"
    assert Stakeholder.objects.get().interest == "Jobs"
    listed = api.get("/services/stakeholders", country="GN").json()
    assert listed["count"] == 1 and listed["items"][0]["name"] == "Ministère de la Jeunesse"
    refused = api.post("/services/stakeholders", {"name": "X", "kind": "ngo", "country": "SN"})
    assert refused.status_code == 403


def test_sectors_are_listed_in_the_readers_language(api_client, alice):
    api = api_client.as_(alice)
    sectors = api.client.get("/api/v1/services/sectors", HTTP_ACCEPT_LANGUAGE="fr", **api.auth).json()
    assert {"code": "health", "name": "Santé"} in sectors


def test_unknown_fields_are_refused(api_client, bob):
    response = api_client.as_(bob).post(
        "/services/providers", {**provider_values(), "last_verified_on": None, "colour": "red"}
    )
    assert response.status_code == 422
    assert not Provider.objects.exists()
