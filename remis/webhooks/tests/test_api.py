"""/api/v1/webhooks with the personas: wendy (manages the Belgian office's webhooks) does
everything; alice (same office, no webhooks.manage) gets 403; bob (another organisation)
gets 404 and changes nothing. Bad input names each field; a stale version is a 409."""

from __future__ import annotations

import pytest

from remis.audit.models import AuditEntry
from remis.cases.tests.factories import register
from remis.webhooks.delivery import deliver_due
from remis.webhooks.models import Delivery, Subscription, SubscriptionStatus

pytestmark = pytest.mark.django_db


def _create(api_client, wendy, receiver, **changes):
    body = {"url": receiver.url, "events": ["case.registered", "case.closed"], "description": "Partner CMS"}
    return api_client.as_(wendy).post("/webhooks", {**body, **changes})


def test_a_manager_creates_reads_changes_and_deletes_a_subscription(api_client, wendy, receiver):
    created = _create(api_client, wendy, receiver)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["status"] == "active" and body["version"] == 1
    stored = Subscription.objects.get(uuid=body["uuid"])
    assert stored.secret == body["secret"]
    entry = AuditEntry.objects.get(action="webhooks.create")
    assert body["secret"] not in str(entry.changes)

    path = f"/webhooks/{body['uuid']}"
    read = api_client.get(path).json()
    assert "secret" not in read and read["events"] == ["case.registered", "case.closed"]
    assert api_client.get("/webhooks").json()["count"] == 1

    changed = api_client.patch(path, {"description": "Partner case system", "version": 1})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = api_client.patch(path, {"description": "Someone else's", "version": 1})
    assert stale.status_code == 409 and stale.json()["errors"][0]["field"] == "version"

    paused = api_client.post(f"{path}/pause", {"version": 2}).json()
    assert paused["status"] == "paused" and paused["paused_reason"] == "by_user"
    assert api_client.get("/webhooks", status="paused").json()["count"] == 1
    assert api_client.get("/webhooks", status="active").json()["count"] == 0
    resumed = api_client.post(f"{path}/resume", {"version": 3}).json()
    assert resumed["status"] == "active"
    rotated = api_client.post(f"{path}/rotate", {"version": 4}).json()
    assert rotated["secret"] != body["secret"] and rotated["version"] == 5

    assert api_client.delete(f"{path}?version=5").status_code == 204
    assert api_client.get(path).status_code == 404
    assert Subscription.objects.get(uuid=body["uuid"]).deleted_at is not None  # soft


def test_bad_input_names_each_field(api_client, wendy, receiver):
    answer = api_client.as_(wendy).post("/webhooks", {"url": "http://example.org/hook", "events": []})
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["errors"]}
    assert "events" in fields
    answer = api_client.post("/webhooks", {"url": "http://example.org/hook", "events": ["case.closed"]})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "url"
    answer = api_client.post("/webhooks", {"url": "https://10.1.2.3/hook", "events": ["case.closed"]})
    assert answer.status_code == 422 and "private" in answer.json()["errors"][0]["message"]
    answer = api_client.post("/webhooks", {"url": receiver.url, "events": ["case.deleted"]})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"].startswith("events")
    assert not Subscription.objects.exists()


def test_a_member_without_the_permission_gets_403(api_client, wendy, alice, receiver):
    uuid = _create(api_client, wendy, receiver).json()["uuid"]
    as_alice = api_client.as_(alice)
    assert as_alice.get("/webhooks").status_code == 403
    assert as_alice.post("/webhooks", {"url": receiver.url, "events": ["case.closed"]}).status_code == 403
    assert as_alice.get(f"/webhooks/{uuid}").status_code == 403
    assert as_alice.post(f"/webhooks/{uuid}/pause", {"version": 1}).status_code == 403
    assert Subscription.objects.get(uuid=uuid).status == SubscriptionStatus.ACTIVE


def test_an_outsider_gets_404_and_changes_nothing(api_client, wendy, bob, gina, receiver):
    uuid = _create(api_client, wendy, receiver).json()["uuid"]
    for outsider in (bob, gina):  # gina manages webhooks, of another organisation
        as_outsider = api_client.as_(outsider)
        assert as_outsider.get(f"/webhooks/{uuid}").status_code == 404
        assert (
            as_outsider.patch(f"/webhooks/{uuid}", {"url": "https://example.org/", "version": 1}).status_code
            == 404
        )
        assert as_outsider.post(f"/webhooks/{uuid}/rotate", {"version": 1}).status_code == 404
        assert as_outsider.delete(f"/webhooks/{uuid}?version=1").status_code == 404
        assert as_outsider.get(f"/webhooks/{uuid}/deliveries").status_code == 404
    assert api_client.as_(gina).get("/webhooks").json()["count"] == 0
    stored = Subscription.objects.get(uuid=uuid)
    assert stored.version == 1 and stored.deleted_at is None and stored.url == receiver.url


def test_deliveries_are_listed_newest_first_with_their_attempts(api_client, world, wendy, receiver):
    body = _create(api_client, wendy, receiver).json()
    receiver.secret = body["secret"]
    first, second = register(world), register(world)
    deliver_due()
    listed = api_client.get(f"/webhooks/{body['uuid']}/deliveries").json()
    assert listed["count"] == 2
    assert [d["status"] for d in listed["items"]] == ["delivered", "delivered"]
    assert Delivery.objects.get(uuid=listed["items"][0]["uuid"]).payload["case"]["uuid"] == str(second.uuid)
    assert listed["items"][1]["attempt_log"][0]["status_code"] == 200
    assert first.uuid != second.uuid
    assert api_client.get(f"/webhooks/{body['uuid']}/deliveries", status="pending").json()["count"] == 0
    assert all(receiver.verified(r) for r in receiver.received)


def test_every_webhook_action_has_a_label_people_read(api_client, wendy, receiver):
    from django.utils import translation

    from remis.audit.labels import ACTION_LABELS

    path = f"/webhooks/{_create(api_client, wendy, receiver).json()['uuid']}"
    for step, version in (("pause", 1), ("resume", 2), ("rotate", 3)):
        api_client.post(f"{path}/{step}", {"version": version})
    api_client.patch(path, {"description": "Renamed", "version": 4})
    api_client.delete(f"{path}?version=5")
    codes = set(AuditEntry.objects.filter(action__startswith="webhooks.").values_list("action", flat=True))
    assert len(codes) == 6 and codes - set(ACTION_LABELS) == set()
    with translation.override("ar"):
        assert str(ACTION_LABELS["webhooks.create"]) != "Subscribed a receiver to webhook events"
