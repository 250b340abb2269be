"""Two administrators managing the same subscription at once, each from the page they
loaded: whichever change each makes (edit, pause, resume, new secret, delete), one wins and
the other is told the subscription changed; its version moves once and one audit entry is
written. Each action runs really in parallel, on both engines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from remis.audit.models import AuditEntry
from remis.lib.tests.races import one_won
from remis.webhooks import actions
from remis.webhooks.models import Subscription, SubscriptionStatus

Change = Callable[[Any, Subscription, int, int], Any]
CHANGES: dict[str, Change] = {
    "update_subscription": lambda actor, sub, n, seen: actions.update_subscription(
        actor, sub, {"description": f"Government return database {n}"}, seen
    ),
    "pause_subscription": lambda actor, sub, n, seen: actions.pause_subscription(actor, sub, seen),
    "resume_subscription": lambda actor, sub, n, seen: actions.resume_subscription(actor, sub, seen),
    "rotate_secret": lambda actor, sub, n, seen: actions.rotate_secret(actor, sub, seen),
    "delete_subscription": lambda actor, sub, n, seen: actions.delete_subscription(actor, sub, seen),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_two_changes_of_one_subscription_at_once_one_wins(parallel_db, wendy, subscribe, name):
    subscription = subscribe(["case.registered"])
    if name == "resume_subscription":
        subscription = actions.pause_subscription(wendy, subscription, subscription.version)
    seen = subscription.version
    entries = AuditEntry.objects.filter(action__startswith="webhooks.").count()
    change = CHANGES[name]
    results = parallel_db(
        lambda: change(wendy, Subscription.objects.get(pk=subscription.pk), 1, seen),
        lambda: change(wendy, Subscription.objects.get(pk=subscription.pk), 2, seen),
    )
    one_won(results)
    stored = Subscription.objects.get(pk=subscription.pk)
    assert stored.version == seen + 1
    assert AuditEntry.objects.filter(action__startswith="webhooks.").count() == entries + 1
    if name == "pause_subscription":
        assert stored.status == SubscriptionStatus.PAUSED
    if name == "delete_subscription":
        assert stored.deleted_at is not None
