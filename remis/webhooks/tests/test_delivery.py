"""End to end with a real receiver on 127.0.0.1: a delivery is signed and arrives; a
receiver failing then recovering is retried with exponential backoff then served; one that
keeps failing pauses its subscription, which its owner sees in their work, and resuming
sends what waited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from remis.cases.extensions import work_for
from remis.cases.tests.factories import register
from remis.cases.tests.home import home_page, my_work_page
from remis.webhooks import actions
from remis.webhooks.delivery import deliver_due
from remis.webhooks.models import Attempt, Delivery, DeliveryStatus, PausedReason, SubscriptionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _backoff(settings):
    settings.REMIS_WEBHOOKS_BACKOFF_BASE_SECONDS = 10
    settings.REMIS_WEBHOOKS_BACKOFF_CAP_SECONDS = 35
    settings.REMIS_WEBHOOKS_PAUSE_AFTER = 4


def test_a_delivery_arrives_signed_and_is_logged(world, subscribe, receiver):
    subscription = subscribe(["case.registered"])
    case = register(world)
    assert deliver_due() == 1
    (got,) = receiver.received
    assert got.path == "/hooks/remis" and receiver.verified(got)
    assert got.headers["X-Remis-Event"] == "case.registered"
    assert got.payload["case"]["uuid"] == str(case.uuid)
    delivery = Delivery.objects.get(subscription=subscription)
    assert got.headers["X-Remis-Delivery"] == str(delivery.uuid)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1
    attempt = Attempt.objects.get(delivery=delivery)
    assert attempt.succeeded and attempt.status_code == 200 and attempt.error == ""
    assert deliver_due() == 0  # nothing is sent twice


def test_a_tampered_body_or_another_secret_fails_verification(world, subscribe, receiver):
    subscribe(["case.registered"])
    register(world)
    deliver_due()
    (got,) = receiver.received
    assert receiver.verified(got)
    tampered = type(got)(got.path, got.headers, got.body.replace(b"registered", b"closed"))
    assert not receiver.verified(tampered)
    receiver.secret = "whsec_another"
    assert not receiver.verified(got)


def test_a_failing_receiver_is_retried_with_backoff_until_it_recovers(world, subscribe, receiver):
    receiver.script = [500, 503, 200]
    subscription = subscribe(["case.registered"])
    register(world)
    start = timezone.now()
    assert deliver_due(now=start) == 1
    delivery = Delivery.objects.get(subscription=subscription)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at == start + dt.timedelta(seconds=10)
    assert deliver_due(now=start + dt.timedelta(seconds=9)) == 0  # not due yet
    second = start + dt.timedelta(seconds=10)
    assert deliver_due(now=second) == 1
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == second + dt.timedelta(seconds=20)  # doubled
    third = second + dt.timedelta(seconds=20)
    assert deliver_due(now=third) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 3
    codes = list(
        Attempt.objects.filter(delivery=delivery).order_by("number").values_list("status_code", flat=True)
    )
    assert codes == [500, 503, 200]
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0 and subscription.status == SubscriptionStatus.ACTIVE
    assert len(receiver.received) == 3 and all(receiver.verified(r) for r in receiver.received)


def test_a_receiver_that_keeps_failing_pauses_the_subscription_and_shows_in_my_work(
    world, subscribe, receiver, wendy, alice, client
):
    receiver.script = [500]
    subscription = subscribe(["case.registered"])
    register(world)
    moment = timezone.now()
    waits = []
    for _ in range(4):
        assert deliver_due(now=moment) == 1
        delivery = Delivery.objects.get(subscription=subscription)
        waits.append((delivery.next_attempt_at - moment).total_seconds())
        moment = delivery.next_attempt_at
    assert waits == [10, 20, 35, 35]  # doubling up to the cap
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PAUSED
    assert subscription.paused_reason == PausedReason.FAILING
    assert deliver_due(now=moment + dt.timedelta(hours=1)) == 0  # paused: nothing is sent
    assert len(receiver.received) == 4

    (work,) = [w for w in work_for(wendy) if w.name == "webhooks_paused"]
    assert work.count == 1 and receiver.url in work.items[0].label
    assert not [w for w in work_for(alice) if w.name == "webhooks_paused"]
    client.force_login(wendy)
    my_work = my_work_page(client)
    for page, html in (("my work", my_work), ("home", home_page(client))):
        assert "Webhooks paused after repeated failures" in html, page
        assert reverse("webhook_detail", args=[subscription.uuid]) in html

    receiver.script = [200]
    register(world)  # events keep queuing while paused
    actions.resume_subscription(wendy, subscription, subscription.version)
    assert deliver_due() == 2
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 2
    assert not [w for w in work_for(wendy) if w.name == "webhooks_paused"]


def test_an_address_refused_at_send_time_is_a_failed_attempt(world, subscribe, receiver, settings):
    subscription = subscribe(["case.registered"])
    register(world)
    settings.REMIS_WEBHOOKS_ALLOW_LOOPBACK = False  # as if the host now resolved to loopback
    deliver_due()
    attempt = Attempt.objects.get(delivery__subscription=subscription)
    assert attempt.error == "RefusedAddress" and attempt.status_code is None
    assert receiver.received == []


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(world, subscribe, receiver, settings):
    settings.REMIS_WEBHOOKS_TIMEOUT_SECONDS = 0.2
    receiver.delay = 1.0
    subscription = subscribe(["case.registered"])
    register(world)
    deliver_due()
    attempt = Attempt.objects.get(delivery__subscription=subscription)
    assert attempt.status_code is None and attempt.error in ("TimeoutError", "timeout")
    assert attempt.duration_ms < 1000


def test_the_task_sends_then_asks_to_run_again_when_the_retry_is_due(world, subscribe, receiver):
    from django_tasks_db.models import DBTaskResult

    from remis.webhooks.tasks import deliver_webhooks

    receiver.script = [503, 200]
    subscribe(["case.registered"])
    register(world)
    DBTaskResult.objects.all().delete()  # the wake-up the outbox asked for on commit, if any
    deliver_webhooks.call()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    (queued,) = DBTaskResult.objects.filter(task_path__endswith="deliver_webhooks")
    assert queued.run_after == delivery.next_attempt_at  # woken for the retry, no polling


def test_deleting_a_subscription_cancels_what_waits_and_a_lost_claim_records_nothing(
    world, subscribe, receiver, wendy
):
    from remis.webhooks.delivery import attempt, claim_next

    subscription = subscribe(["case.registered"])
    register(world)
    register(world)
    claimed = claim_next(timezone.now())
    assert claimed is not None
    actions.delete_subscription(wendy, subscription, subscription.version)
    assert attempt(claimed) is True  # the receiver got it, but the delivery was cancelled meanwhile
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.CANCELLED}
    assert not Attempt.objects.exists()
    assert deliver_due() == 0


def test_a_host_without_address_at_send_time_is_a_failed_attempt(world, subscribe, receiver):
    from unittest import mock

    from remis.webhooks import addresses

    subscription = subscribe(["case.registered"])
    register(world)
    with mock.patch.object(addresses.socket, "getaddrinfo", side_effect=addresses.socket.gaierror):
        deliver_due()
    attempt = Attempt.objects.get(delivery__subscription=subscription)
    assert attempt.error == "UnresolvedHost" and not attempt.succeeded
