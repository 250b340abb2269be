"""The worker pausing a subscription that keeps failing while something else happens to it,
each on its own connection, on SQLite and PostgreSQL.

- Two deliveries of one subscription fail at once and both workers pause it: it is paused
  once (one audit entry by the system, its version moved once).
- The worker pauses it while its owner edits it from the page they loaded: either the edit
  came first and is kept whole, then the pause follows; or the pause came first and the
  owner is told the subscription changed. Paused either way, once.
- The worker pauses it while its owner pauses it from the page they loaded: paused once,
  by whichever came first; the owner is told if the worker did.
- The owner resumes a subscription they had paused while a delivery sent just before the
  pause fails for the last allowed time: the late failure does not pause it again.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from remis.accounts.system import system_actor
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import register
from remis.lib.errors import Conflict
from remis.webhooks import actions
from remis.webhooks.delivery import attempt, claim_next
from remis.webhooks.models import PausedReason, Subscription, SubscriptionStatus

PAUSE_AFTER = 3


@pytest.fixture(autouse=True)
def _pause_after(settings):
    settings.REMIS_WEBHOOKS_PAUSE_AFTER = PAUSE_AFTER
    settings.REMIS_WEBHOOKS_JITTER = False


def _entries(subscription: Subscription, action: str) -> int:
    return AuditEntry.objects.filter(
        action=action, object_type="webhooks.subscription", object_id=str(subscription.pk)
    ).count()


def _failing(subscription: Subscription) -> None:
    """As after the failures that make the worker pause it."""
    Subscription.objects.filter(pk=subscription.pk).update(consecutive_failures=PAUSE_AFTER)


def test_two_failures_at_once_pause_a_subscription_once(parallel_db, subscribe):
    subscription = subscribe(["case.registered"])
    _failing(subscription)
    seen = subscription.version
    now = timezone.now()
    results = parallel_db(
        lambda: actions.pause_for_failures(subscription.pk, now),
        lambda: actions.pause_for_failures(subscription.pk, now + dt.timedelta(milliseconds=1)),
    )
    assert results == [None, None], results
    stored = Subscription.objects.get(pk=subscription.pk)
    assert (stored.status, stored.paused_reason, stored.version) == (
        SubscriptionStatus.PAUSED,
        PausedReason.FAILING,
        seen + 1,
    )
    pauses = AuditEntry.objects.filter(action="webhooks.pause", object_id=str(subscription.pk))
    assert list(pauses.values_list("actor_id", flat=True)) == [system_actor().pk]


def test_the_worker_pausing_while_the_owner_edits_keeps_the_edit_whole_or_refuses_it(
    parallel_db, wendy, subscribe
):
    subscription = subscribe(["case.registered"])
    _failing(subscription)
    seen = subscription.version
    page = Subscription.objects.get(pk=subscription.pk)  # the owner's edit page
    edit = {"description": "Government return database", "events": ["case.registered", "case.closed"]}
    edited, paused = parallel_db(
        lambda: actions.update_subscription(wendy, page, edit, seen),
        lambda: actions.pause_for_failures(subscription.pk, timezone.now()),
    )
    assert paused is None, paused
    assert isinstance(edited, Subscription | Conflict), edited
    stored = Subscription.objects.get(pk=subscription.pk)
    assert (stored.status, stored.paused_reason) == (SubscriptionStatus.PAUSED, PausedReason.FAILING)
    assert _entries(subscription, "webhooks.pause") == 1
    if isinstance(edited, Subscription):  # the edit first, then the pause from the stored row
        assert (stored.description, stored.events) == (edit["description"], edit["events"])
        assert stored.version == seen + 2
        assert _entries(subscription, "webhooks.update") == 1
    else:  # the pause first: the owner's page was outdated
        assert (stored.description, stored.events) == ("test", ["case.registered"])
        assert stored.version == seen + 1
        assert _entries(subscription, "webhooks.update") == 0


def test_the_worker_and_the_owner_pausing_at_once_pause_it_once(parallel_db, wendy, subscribe):
    subscription = subscribe(["case.registered"])
    _failing(subscription)
    seen = subscription.version
    page = Subscription.objects.get(pk=subscription.pk)
    by_owner, by_worker = parallel_db(
        lambda: actions.pause_subscription(wendy, page, seen),
        lambda: actions.pause_for_failures(subscription.pk, timezone.now()),
    )
    assert by_worker is None, by_worker
    assert isinstance(by_owner, Subscription | Conflict), by_owner
    stored = Subscription.objects.get(pk=subscription.pk)
    reason = PausedReason.BY_USER if isinstance(by_owner, Subscription) else PausedReason.FAILING
    assert (stored.status, stored.paused_reason, stored.version) == (
        SubscriptionStatus.PAUSED,
        reason,
        seen + 1,
    )
    pauses = AuditEntry.objects.filter(action="webhooks.pause", object_id=str(subscription.pk))
    actor = wendy if reason == PausedReason.BY_USER else system_actor()
    assert list(pauses.values_list("actor_id", flat=True)) == [actor.pk]


def test_a_late_failure_does_not_pause_again_what_the_owner_resumes(
    parallel_db, world, wendy, subscribe, receiver
):
    receiver.script = [500]
    subscription = subscribe(["case.registered"])
    register(world)
    now = timezone.now()
    in_flight = claim_next(now)  # sent just before the owner paused
    assert in_flight is not None
    Subscription.objects.filter(pk=subscription.pk).update(consecutive_failures=PAUSE_AFTER - 1)
    paused = actions.pause_subscription(wendy, subscription, subscription.version)
    seen = paused.version
    resumed, failed = parallel_db(
        lambda: actions.resume_subscription(wendy, Subscription.objects.get(pk=subscription.pk), seen),
        lambda: attempt(in_flight, now),
    )
    assert failed is False, failed
    assert isinstance(resumed, Subscription), resumed
    stored = Subscription.objects.get(pk=subscription.pk)
    # The failure came first (counted, but the subscription was paused already) or after the
    # resume (counted from zero): either way the owner's resume stands.
    assert (stored.status, stored.paused_reason, stored.version) == (
        SubscriptionStatus.ACTIVE,
        PausedReason.NONE,
        seen + 1,
    )
    assert stored.consecutive_failures in (0, 1)
    assert _entries(subscription, "webhooks.resume") == 1
    assert _entries(subscription, "webhooks.pause") == 1  # the owner's, before the race
