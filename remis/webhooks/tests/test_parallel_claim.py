"""Two workers sending at once, each on its own database connection: every delivery reaches
the receiver exactly once (the claim is one conditional UPDATE)."""

from __future__ import annotations

import collections

import pytest

from remis.cases.tests.factories import register
from remis.webhooks.delivery import deliver_due
from remis.webhooks.models import Delivery, DeliveryStatus


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_delivery(parallel_db, world, subscribe, receiver):
    receiver.delay = 0.01  # keep each send open long enough for the workers to overlap
    subscription = subscribe(["case.registered"])
    for _ in range(12):
        register(world)
    assert Delivery.objects.filter(subscription=subscription).count() == 12
    results = parallel_db(deliver_due, deliver_due)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 12 and all(r > 0 for r in results)  # both took part
    sent = collections.Counter(r.headers["X-Remis-Delivery"] for r in receiver.received)
    assert len(sent) == 12 and set(sent.values()) == {1}
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 12
