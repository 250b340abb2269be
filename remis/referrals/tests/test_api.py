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
    inbox = provider.get("/referrals", side="provider").json()
    assert [r["uuid"] for r in inbox["items"]] == [data["uuid"]] and inbox["count"] == 1
    assert provider.get("/referrals", side="case").json()["items"] == []  # no case side for a provider
    # Asked for no side, a provider (who sees no case) reads its inbox, as on the pages.
    assert provider.get("/referrals").json() == inbox

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
    # A period ending before it starts is refused, as the page refuses it (an empty list read
    # as no referral at all).
    reversed_ = api_client.as_(s.world.bob).get("/referrals/funnel", since="2026-12-01", until="2026-01-01")
    assert reversed_.status_code == 422 and reversed_.json()["errors"][0]["field"] == "until"
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


def test_the_list_is_paged_and_a_bad_body_names_its_field(s, api_client):
    bob = api_client.as_(s.world.bob)
    for provider in (s.provider, s.offline):
        body = {"case": str(s.case.uuid), "item_id": s.item.pk, "provider": str(provider.uuid)}
        assert bob.post("/referrals", body).status_code == 201
        latest = Referral.objects.latest("id")
        assert bob.post(f"/referrals/{latest.uuid}/cancel", {"reason": "Again"}).status_code == 200
    first = bob.get("/referrals", limit=1).json()
    second = bob.get("/referrals", limit=1, offset=1).json()
    assert first["count"] == second["count"] == 2 and first["limit"] == 1 and second["offset"] == 1
    every = {str(r.uuid) for r in Referral.objects.all()}
    assert {first["items"][0]["uuid"], second["items"][0]["uuid"]} == every
    for bad in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": "abc"}):
        refused = bob.get("/referrals", **bad)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == next(iter(bad))

    body = {"case": str(s.case.uuid), "item_id": s.item.pk, "provider": str(s.provider.uuid)}
    unknown = bob.post("/referrals", {**body, "provider": "00000000-0000-4000-8000-000000000000"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "provider"
    missing = bob.post("/referrals", {**body, "item_id": 2**40})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "item_id"
    long = bob.post("/referrals", {**body, "message": "x" * 1001})
    assert long.status_code == 422 and long.json()["errors"][0]["field"] == "message"
    assert bob.post("/referrals", body).status_code == 201
    again = bob.post("/referrals", body)  # already referred: named as the body names the item
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "item_id"


def test_the_type_of_service_is_null_where_the_pages_say_restricted(world, api_client):
    """A medical item referred under a consent that does not cover health: the provider's
    page and a case-side reader without the health group read "Restricted", while the API
    gave both `"item_type": "medical_care"`."""
    from remis.cases.tests.factories import make_user
    from remis.referrals.tests.factories import consent, refer

    s = setting(world, kind="medical_care", sector="health")
    consent(world, s.case, groups=("psychosocial",))
    referral = refer(s)
    path = f"/referrals/{referral.uuid}"
    assert api_client.as_(s.world.bob).get(path).json()["item_type"] == "medical_care"  # holds health
    assert api_client.as_(s.pia).get(path).json()["item_type"] is None  # held back from the provider
    inbox = api_client.as_(s.pia).get("/referrals", side="provider").json()["items"]
    assert [r["item_type"] for r in inbox] == [None]
    mona = make_user("mona", world.gn_partner, "me_officer", ["GN"])  # reads cases, holds no group
    assert api_client.as_(mona).get(path).json()["item_type"] is None
    listed = api_client.as_(mona).get("/referrals", case=str(s.case.uuid)).json()["items"]
    assert [r["item_type"] for r in listed] == [None]
