"""Reads of webhook subscriptions, always from the actor's organisations.

Members of the owning organisation see that a subscription exists; only holders of
`webhooks.manage` there may open and change it (others: PermissionDenied, 403). Anyone
else gets NotFound (404), as if it did not exist."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_for, grants_with
from remis.lib.errors import NotFound, PermissionDenied
from remis.webhooks.models import Delivery, Subscription, SubscriptionStatus


def managed_organisation_ids(actor: Any) -> list[int]:
    return sorted({g.organisation_id for g in grants_with(actor, Perm.WEBHOOKS_MANAGE)})


def may_manage(actor: Any) -> bool:
    return bool(managed_organisation_ids(actor))


def managed_subscriptions(actor: Any) -> QuerySet[Subscription]:
    return Subscription.objects.filter(
        organisation_id__in=managed_organisation_ids(actor), deleted_at__isnull=True
    )


def get_subscription_for(actor: Any, subscription_uuid: uuid.UUID | str) -> Subscription:
    """The subscription, for a manager of its organisation. NotFound when missing, deleted
    or of another organisation; PermissionDenied for a member without the permission."""
    try:
        key = uuid.UUID(str(subscription_uuid))
    except ValueError:
        raise NotFound() from None
    subscription = (
        Subscription.objects.select_related("organisation").filter(uuid=key, deleted_at__isnull=True).first()
    )
    member_of = {g.organisation_id for g in grants_for(actor)}
    if subscription is None or subscription.organisation_id not in member_of:
        raise NotFound()
    if subscription.organisation_id not in managed_organisation_ids(actor):
        raise PermissionDenied()
    return subscription


def filter_subscriptions(actor: Any, status: str = "") -> QuerySet[Subscription]:
    rows = managed_subscriptions(actor).select_related("organisation").order_by("-created_at", "-id")
    if status in SubscriptionStatus.values:
        rows = rows.filter(status=status)
    return rows


def deliveries_of(subscription: Subscription, status: str = "") -> QuerySet[Delivery]:
    """Newest first, with their attempts (the caller checked the subscription)."""
    rows = subscription.deliveries.order_by("-created_at", "-id").prefetch_related("attempt_log")
    if status:
        rows = rows.filter(status=status)
    return rows


def paused_for(actor: Any) -> QuerySet[Subscription]:
    """Subscriptions paused after failures that this actor can resume (their work list)."""
    return managed_subscriptions(actor).filter(status=SubscriptionStatus.PAUSED, paused_reason="failing")
