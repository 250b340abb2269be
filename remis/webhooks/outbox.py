"""The outbox: deliveries written in the transaction of the change they announce.

`write_outbox` is subscribed in-transaction (`remis.lib.events.subscribe_in_transaction`)
to every subscribable event, so a delivery exists exactly when its change does. It is on
hot paths (a KoBo import saves thousands of scored responses a second), so:

* it first asks which event codes any live subscription wants, from a per-process cache
  (`REMIS_WEBHOOKS_CACHE_SECONDS`, 5 s by default, and forgotten at once when this process
  changes a subscription): an event nobody wants costs a set lookup and no query. Another
  process learns of a new subscription within that time; events emitted meanwhile there
  are not sent (documented in docs/architecture.md).
* when wanted, a batch costs three queries (subscriptions, access rows, case codes) and
  one bulk insert, whatever its size.

The worker is woken once the transaction commits (`tasks.deliver_webhooks`).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction

from remis.lib.events import Event
from remis.webhooks.models import Delivery, Subscription
from remis.webhooks.payloads import prepare

_wanted: dict[str, object] = {"codes": None, "read_at": 0.0}


def forget_subscriptions(*, none_exist: bool = False) -> None:
    """Drop the cached event codes so the next event reads them again. `none_exist`: the
    caller knows there are none (the test suite, whose database starts empty each test)."""
    _wanted["codes"] = frozenset() if none_exist else None
    _wanted["read_at"] = time.monotonic()


def wanted_codes() -> frozenset[str]:
    codes = _wanted["codes"]
    age = time.monotonic() - float(_wanted["read_at"])  # type: ignore[arg-type]
    if codes is None or age > settings.REMIS_WEBHOOKS_CACHE_SECONDS:
        lists = Subscription.objects.filter(deleted_at__isnull=True).values_list("events", flat=True)
        codes = frozenset(code for events in lists for code in events)
        _wanted["codes"], _wanted["read_at"] = codes, time.monotonic()
    return codes  # type: ignore[return-value]


def write_outbox(events: Sequence[Event]) -> None:
    if not events:
        return
    code = events[0].name
    if code not in wanted_codes():
        return
    subscriptions = [
        (pk, organisation_id)
        for pk, organisation_id, codes in Subscription.objects.filter(deleted_at__isnull=True).values_list(
            "pk", "organisation_id", "events"
        )
        if code in codes
    ]
    if not subscriptions:
        return
    prepared = prepare(events, {organisation_id for _pk, organisation_id in subscriptions})
    rows: list[Delivery] = []
    for item in prepared:
        event_id = str(uuid.uuid4())  # one id per event, shared by every subscription it reaches
        body = {"event_id": event_id, **item.body}
        rows.extend(
            Delivery(subscription_id=pk, event=code, event_id=event_id, payload=body)
            for pk, organisation_id in subscriptions
            if organisation_id in item.organisations
        )
    if rows:
        Delivery.objects.bulk_create(rows, batch_size=500)
        transaction.on_commit(wake_worker)


def wake_worker() -> None:
    from remis.webhooks.tasks import deliver_webhooks

    deliver_webhooks.enqueue()
