"""Every write to webhook subscriptions. Each checks `webhooks.manage` in the owning
organisation, validates (naming each bad field), writes in one transaction with its audit
entry, and bumps `version` (a stale version is a Conflict). The secret is generated here,
returned to the caller once (on creation and rotation) and never written to the log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts.system import system_actor
from remis.audit.actions import record
from remis.lib.errors import Conflict, PermissionDenied, TransitionRefused, ValidationFailed
from remis.webhooks.addresses import check_url
from remis.webhooks.catalogue import EVENT_CODES
from remis.webhooks.models import Delivery, DeliveryStatus, PausedReason, Subscription, SubscriptionStatus
from remis.webhooks.outbox import forget_subscriptions, wake_worker
from remis.webhooks.queries import managed_organisation_ids
from remis.webhooks.signing import new_secret

DESCRIPTION_MAX = 200
EDITABLE = ("url", "description", "events")


def _changed_subscriptions() -> None:
    # This process reads the subscriptions again at once; others within the cache's seconds.
    forget_subscriptions()
    transaction.on_commit(forget_subscriptions)


def validate_subscription(values: dict[str, Any]) -> None:
    """Check the given fields as creating would (ValidationFailed naming each bad one), for
    a form that has other errors and should show all of them at once."""
    _clean(values, partial=True)


def _clean(values: dict[str, Any], partial: bool) -> dict[str, Any]:
    errors: list[tuple[str | None, str]] = []
    cleaned: dict[str, Any] = {}
    if "url" in values or not partial:
        url = str(values.get("url") or "").strip()
        if not url:
            errors.append(("url", _("Enter the receiver's URL.")))
        else:
            try:
                check_url(url)
            except ValidationFailed as error:
                errors.extend(error.errors)
            cleaned["url"] = url
    if "description" in values or not partial:
        description = str(values.get("description") or "").strip()
        if len(description) > DESCRIPTION_MAX:
            errors.append(
                ("description", _("Write at most %(limit)s characters.") % {"limit": DESCRIPTION_MAX})
            )
        cleaned["description"] = description
    if "events" in values or not partial:
        codes = values.get("events") or []
        if not isinstance(codes, list | tuple) or not codes:
            errors.append(("events", _("Choose at least one event.")))
        elif unknown := [str(c) for c in codes if c not in EVENT_CODES]:
            errors.append(("events", _("Unknown event: %(codes)s.") % {"codes": ", ".join(unknown)}))
        else:
            cleaned["events"] = [c for c in EVENT_CODES if c in codes]  # catalogue order, no repeats
    if errors:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)
    return cleaned


def _organisation_for(actor: Any, organisation_id: int | None) -> int:
    managed = managed_organisation_ids(actor)
    if not managed:
        raise PermissionDenied(_("Your role cannot manage webhooks."))
    if organisation_id is None:
        if len(managed) > 1:
            raise ValidationFailed(_("Choose the organisation the subscription is for."), "organisation")
        return managed[0]
    if organisation_id not in managed:
        raise ValidationFailed(_("You cannot manage webhooks for this organisation."), "organisation")
    return organisation_id


def create_subscription(
    actor: Any, values: dict[str, Any], organisation_id: int | None = None
) -> tuple[Subscription, str]:
    """A new active subscription and its secret (shown to the user this once)."""
    owner = _organisation_for(actor, organisation_id)
    cleaned = _clean(values, partial=False)
    secret = new_secret()
    with transaction.atomic():
        subscription = Subscription.objects.create(
            organisation_id=owner, created_by=actor, secret=secret, **cleaned
        )
        record(
            actor,
            "webhooks.create",
            subscription,
            changes={name: [None, cleaned[name]] for name in EDITABLE},
            organisation_id=owner,
        )
        _changed_subscriptions()
    return subscription, secret


def _locked(actor: Any, subscription: Subscription, expected_version: int | None) -> Subscription:
    if subscription.organisation_id not in managed_organisation_ids(actor):
        raise PermissionDenied(_("Your role cannot manage webhooks."))
    if expected_version is None:
        raise ValidationFailed(_("The version you read is missing."), "version")
    locked = (
        Subscription.objects.select_for_update().filter(pk=subscription.pk, deleted_at__isnull=True).first()
    )
    if locked is None or locked.version != expected_version:
        raise Conflict()
    return locked


def _save(
    actor: Any, locked: Subscription, action: str, changes: dict[str, list[Any]], **values: Any
) -> Subscription:
    values.update(version=locked.version + 1, updated_at=timezone.now())
    Subscription.objects.filter(pk=locked.pk).update(**values)
    locked.refresh_from_db()
    record(actor, action, locked, changes=changes, organisation_id=locked.organisation_id)
    return locked


def update_subscription(
    actor: Any, subscription: Subscription, values: dict[str, Any], expected_version: int | None
) -> Subscription:
    """Change the URL, description or events; nothing changed writes nothing."""
    cleaned = _clean({k: v for k, v in values.items() if k in EDITABLE}, partial=True)
    with transaction.atomic():
        locked = _locked(actor, subscription, expected_version)
        changes = {k: [getattr(locked, k), v] for k, v in cleaned.items() if getattr(locked, k) != v}
        if not changes:
            return locked
        saved = _save(actor, locked, "webhooks.update", changes, **{k: v[1] for k, v in changes.items()})
        _changed_subscriptions()
    return saved


def pause_subscription(actor: Any, subscription: Subscription, expected_version: int | None) -> Subscription:
    """Stop sending; events keep queuing until it is resumed."""
    with transaction.atomic():
        locked = _locked(actor, subscription, expected_version)
        if locked.status == SubscriptionStatus.PAUSED:
            raise TransitionRefused(_("This subscription is already paused."), "status")
        return _save(
            actor,
            locked,
            "webhooks.pause",
            {"status": [locked.status, SubscriptionStatus.PAUSED]},
            status=SubscriptionStatus.PAUSED,
            paused_reason=PausedReason.BY_USER,
            paused_at=timezone.now(),
        )


def resume_subscription(actor: Any, subscription: Subscription, expected_version: int | None) -> Subscription:
    """Send again: what waited while paused is due at once, and the worker is woken."""
    with transaction.atomic():
        locked = _locked(actor, subscription, expected_version)
        if locked.status != SubscriptionStatus.PAUSED:
            raise TransitionRefused(_("This subscription is not paused."), "status")
        now = timezone.now()
        waiting = Delivery.objects.filter(subscription=locked, status=DeliveryStatus.PENDING).update(
            next_attempt_at=now
        )
        saved = _save(
            actor,
            locked,
            "webhooks.resume",
            {"status": [locked.status, SubscriptionStatus.ACTIVE], "requeued": [None, waiting]},
            status=SubscriptionStatus.ACTIVE,
            paused_reason=PausedReason.NONE,
            paused_at=None,
            consecutive_failures=0,
        )
        transaction.on_commit(wake_worker)
    return saved


def rotate_secret(
    actor: Any, subscription: Subscription, expected_version: int | None
) -> tuple[Subscription, str]:
    """A new secret replaces the old at once; deliveries from now on are signed with it."""
    secret = new_secret()
    with transaction.atomic():
        locked = _locked(actor, subscription, expected_version)
        saved = _save(actor, locked, "webhooks.rotate_secret", {"secret": ["…", "…"]}, secret=secret)
    return saved, secret


def delete_subscription(actor: Any, subscription: Subscription, expected_version: int | None) -> None:
    """Soft deletion: no more events; deliveries not yet sent are cancelled, the log stays."""
    with transaction.atomic():
        locked = _locked(actor, subscription, expected_version)
        Delivery.objects.filter(
            subscription=locked, status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
        ).update(status=DeliveryStatus.CANCELLED)
        _save(actor, locked, "webhooks.delete", {"deleted": [False, True]}, deleted_at=timezone.now())
        _changed_subscriptions()


def pause_for_failures(subscription_id: int, now: dt.datetime) -> None:
    """The worker's pause after too many failures in a row, by the system actor."""
    with transaction.atomic():
        locked = (
            Subscription.objects.select_for_update()
            .filter(pk=subscription_id, status=SubscriptionStatus.ACTIVE, deleted_at__isnull=True)
            .first()
        )
        if locked is None:
            return
        _save(
            system_actor(),
            locked,
            "webhooks.pause",
            {"status": [locked.status, SubscriptionStatus.PAUSED], "reason": [None, PausedReason.FAILING]},
            status=SubscriptionStatus.PAUSED,
            paused_reason=PausedReason.FAILING,
            paused_at=now,
        )
