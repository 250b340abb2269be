"""Sending the outbox: claim a due delivery, sign and POST it, log the attempt, and on
failure retry later with exponential backoff; pause a subscription that keeps failing.

Claiming is one conditional UPDATE (`status` pending, or a claim whose lease ran out
because its worker died): of two workers racing for a row only one changes it, so a
delivery is never sent twice at once. Deliveries of a paused or deleted subscription are
not claimed; they wait for `resume_subscription`.

Backoff after the n-th failed attempt: base × 2^(n−1) seconds, at most the cap
(`REMIS_WEBHOOKS_BACKOFF_BASE_SECONDS`, `…_BACKOFF_CAP_SECONDS`), times a random factor in
[0.5, 1] when `REMIS_WEBHOOKS_JITTER` is on, so receivers coming back are not hit by
every retry at once. After `REMIS_WEBHOOKS_PAUSE_AFTER` failures in a row (any delivery of
the subscription; a success resets the count) the subscription is paused.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from remis.lib.errors import ValidationFailed
from remis.webhooks import transport
from remis.webhooks.addresses import UnresolvedHost, check_url
from remis.webhooks.models import Attempt, Delivery, DeliveryStatus, Subscription, SubscriptionStatus
from remis.webhooks.signing import signature

logger = logging.getLogger(__name__)
CANDIDATES = 20


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    base = float(settings.REMIS_WEBHOOKS_BACKOFF_BASE_SECONDS)
    seconds = min(float(settings.REMIS_WEBHOOKS_BACKOFF_CAP_SECONDS), base * 2 ** max(0, attempts - 1))
    if settings.REMIS_WEBHOOKS_JITTER:
        seconds *= random.uniform(0.5, 1.0)
    return dt.timedelta(seconds=seconds)


def _claimable(now: dt.datetime) -> Q:
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_until__lt=now
    )


def claim_next(now: dt.datetime) -> Delivery | None:
    """Take one due delivery of an active subscription for this worker, or None."""
    candidates = list(
        Delivery.objects.filter(
            _claimable(now),
            subscription__status=SubscriptionStatus.ACTIVE,
            subscription__deleted_at__isnull=True,
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:CANDIDATES]
    )
    lease = now + dt.timedelta(seconds=settings.REMIS_WEBHOOKS_CLAIM_SECONDS)
    for pk in candidates:
        taken = Delivery.objects.filter(_claimable(now), pk=pk).update(
            status=DeliveryStatus.SENDING, claimed_until=lease
        )
        if taken:
            return Delivery.objects.select_related("subscription").get(pk=pk)
    return None


def body_of(delivery: Delivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def _send(delivery: Delivery, now: dt.datetime) -> tuple[int | None, str]:
    """(status code, error class name) of one POST."""
    subscription = delivery.subscription
    body = body_of(delivery)
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "REMIS-Webhooks/1",
        "X-Remis-Event": delivery.event,
        "X-Remis-Event-Id": str(delivery.event_id),
        "X-Remis-Delivery": str(delivery.uuid),
        "X-Remis-Timestamp": timestamp,
        "X-Remis-Signature": signature(subscription.secret, timestamp, body),
    }
    try:
        target = check_url(subscription.url)
        answer = transport.post(target, body, headers, settings.REMIS_WEBHOOKS_TIMEOUT_SECONDS)
    except UnresolvedHost:
        return None, "UnresolvedHost"
    except ValidationFailed:
        return None, "RefusedAddress"
    except Exception as error:
        return None, type(error).__name__[:64]
    return answer.status, ""


def attempt(delivery: Delivery, now: dt.datetime | None = None) -> bool:
    """Send a claimed delivery once and record the outcome. True when delivered."""
    now = now or timezone.now()
    started = time.monotonic()
    status_code, error = _send(delivery, now)
    duration = int((time.monotonic() - started) * 1000)
    succeeded = status_code is not None and 200 <= status_code < 300
    number = delivery.attempts + 1
    with transaction.atomic():
        claimed = Delivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=delivery.attempts
        )
        subscriptions = Subscription.objects.filter(pk=delivery.subscription_id)
        if succeeded:
            kept = claimed.update(
                status=DeliveryStatus.DELIVERED, attempts=number, delivered_at=now, claimed_until=None
            )
        else:
            kept = claimed.update(
                status=DeliveryStatus.PENDING,
                attempts=number,
                claimed_until=None,
                next_attempt_at=now + backoff(number),
            )
        if not kept:
            # Our lease ran out and another worker took the delivery over: its outcome counts.
            logger.warning("webhook delivery %s: claim lost during attempt %s", delivery.pk, number)
            return succeeded
        Attempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=now,
            duration_ms=duration,
            status_code=status_code,
            error=error,
            succeeded=succeeded,
        )
        if succeeded:
            subscriptions.update(consecutive_failures=0)
        else:
            subscriptions.update(consecutive_failures=F("consecutive_failures") + 1)
            _pause_if_failing(delivery.subscription_id, now)
    logger.info(
        "webhook delivery %s attempt %s: %s",
        delivery.pk,
        number,
        status_code if status_code is not None else error,
    )
    return succeeded


def _pause_if_failing(subscription_id: int, now: dt.datetime) -> None:
    from remis.webhooks.actions import pause_for_failures

    failures = (
        Subscription.objects.filter(pk=subscription_id).values_list("consecutive_failures", flat=True).first()
    )
    if failures is not None and failures >= settings.REMIS_WEBHOOKS_PAUSE_AFTER:
        pause_for_failures(subscription_id, now)


def deliver_due(now: dt.datetime | None = None, limit: int = 200) -> int:
    """Send what is due (at most `limit`), one at a time. Returns how many were sent."""
    sent = 0
    while sent < limit:
        moment = now or timezone.now()
        delivery = claim_next(moment)
        if delivery is None:
            break
        attempt(delivery, moment)
        sent += 1
    return sent


def next_due() -> Any:
    """When the earliest waiting delivery of an active subscription falls due, or None."""
    return (
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING,
            subscription__status=SubscriptionStatus.ACTIVE,
            subscription__deleted_at__isnull=True,
        )
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
