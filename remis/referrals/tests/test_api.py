"""The referrals API: refer, read on each side, answer, 404 outside the scope, 409 on a
stale version, the shared error shape, the funnel."""

from __future__ import annotations

import datetime as dt

from remis.referrals.models import Referral
from remis.referrals.tests.factories import setting


def test_refer_then_the_provider_answers_through_the_api(s, api_client):
    body = {"case": str(s.case.uuid), "item_id": s.item.pk, "provider": str(s.provider.uuid), "message": "Hi"}
    created = api_client.as_(s.world.bob).post("/referrals", body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "sent" and data["case_uuid"] == str(s.case.uuid)
    path = f"/referrals/{data['uuid']}"

    provider = api_client.as_(s.pia)
    seen = provider.get(path).json()
    assert seen["case_uuid"] is None and seen["withheld"] is None
    assert [r["uuid"] for r in provider.get("/referrals", side="provider").json()] == [data["uuid"]]
    assert provider.get("/referrals").json() == []  # no case side for a provider

    accepted = provider.post(f"{path}/answer", {"status": "accepted", "version": 1})
    assert accepted.status_code == 200 and accepted.json()["version"] == 2
    stale = provider.post(f"{path}/answer", {"status": "in_progress", "version": 1})
    assert stale.status_code == 409 and "detail" in stale.json()
    done = provider.post(
        f"{path}/answer",
        {"status": "completed", "outcome": "partly", "outcome_on": dt.date.today().isoformat(), "version": 2},
    )
    assert done.json()["outcome"] == "partly"
    funnel = api_client.as_(s.world.bob).get("/referrals/funnel").json()
    assert funnel[0]["referred"] == 1 and funnel[0]["completed"] == 1
    by_country = api_client.get("/referrals/funnel", country=s.provider.country.lower()).json()
    assert by_country == funnel
    for bad in ("ZZ", "G\x00"):  # not a country; a NUL byte PostgreSQL would refuse
        refused = api_client.get("/referrals/funnel", country=bad)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "country"


def test_outside_the_scope_is_404(s, api_client):
    referral = api_client.as_(s.world.bob).post(
        "/referrals", {"case": str(s.case.uuid), "item_id": s.item.pk, "provider": str(s.provider.uuid)}
    )
    path = f"/referrals/{referral.json()['uuid']}"
    assert api_client.as_(s.oscar).get(path).status_code == 404
    assert api_client.as_(s.oscar).post(f"{path}/answer", {"status": "accepted"}).status_code == 404
    assert api_client.as_(s.world.dave).get(path).status_code == 404


def test_a_refusal_names_the_field(world, api_client):
    s = setting(world)  # no consent
    refused = api_client.as_(s.world.bob).post(
        "/referrals", {"case": str(s.case.uuid), "item_id": s.item.pk, "provider": str(s.provider.uuid)}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "consent"
    assert not Referral.objects.exists()


def test_the_case_worker_answers_on_behalf_and_cancels_through_the_api(s, api_client):
    bob = api_client.as_(s.world.bob)
    created = bob.post(
        "/referrals", {"case": str(s.case.uuid), "item_id": s.item.pk, "provider": str(s.offline.uuid)}
    ).json()
    path = f"/referrals/{created['uuid']}"
    accepted = bob.post(f"{path}/answer", {"status": "accepted"}).json()
    assert accepted["status"] == "accepted" and accepted["on_behalf"] is True
    refused = bob.post(f"{path}/cancel", {"reason": ""})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "reason"
    cancelled = bob.post(f"{path}/cancel", {"reason": "Moved to Kankan", "version": accepted["version"]})
    assert cancelled.json()["status"] == "cancelled"
