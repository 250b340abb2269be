"""Webhook subscriptions in the JSON API (/api/v1/webhooks): list, create, read, change,
delete, pause, resume, rotate the secret, and a subscription's deliveries. The same
actions and queries as the pages; the secret appears only in the answers to creation and
rotation."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeAlias
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from remis.lib.api_schema import InputSchema, literal_of, page_out
from remis.lib.errors import PermissionDenied, fields_renamed
from remis.lib.paging import COUNT_CAP
from remis.webhooks import actions
from remis.webhooks.catalogue import EVENT_CODES
from remis.webhooks.models import Delivery, DeliveryStatus, Subscription, SubscriptionStatus
from remis.webhooks.queries import deliveries_of, filter_subscriptions, get_subscription_for, may_manage

router = Router(tags=["webhooks"])

if TYPE_CHECKING:
    EventCode: TypeAlias = str
    SubscriptionStatusCode: TypeAlias = str
    DeliveryStatusCode: TypeAlias = str
else:
    EventCode = literal_of(EVENT_CODES)
    SubscriptionStatusCode = literal_of(SubscriptionStatus)
    DeliveryStatusCode = literal_of(DeliveryStatus)


class SubscriptionOut(Schema):
    uuid: UUID
    organisation_id: int
    url: str
    description: str
    events: list[str]
    status: str
    paused_reason: str
    paused_at: dt.datetime | None
    consecutive_failures: int
    created_at: dt.datetime
    version: int = Field(..., description="changes send this back: a newer one is a 409")


class SubscriptionWithSecret(SubscriptionOut):
    secret: str = Field(..., description="shown only in this answer: keep it to verify signatures")


class SubscriptionIn(InputSchema):
    url: str = Field(..., max_length=500, description="https://, on a public address")
    description: str = Field("", max_length=200)
    events: list[EventCode] = Field(..., min_length=1)
    organisation_id: int | None = Field(None, description="needed when you manage several organisations")


class SubscriptionPatch(InputSchema):
    url: str | None = Field(None, max_length=500)
    description: str | None = Field(None, max_length=200)
    events: list[EventCode] | None = None
    version: int = Field(..., ge=1, le=2**31 - 1)


class SubscriptionVersionIn(InputSchema):
    version: int = Field(..., ge=1, le=2**31 - 1)


class SubscriptionPage(Schema):
    items: list[SubscriptionOut]
    count: int = Field(description=f"counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


class DeliveryAttemptOut(Schema):
    number: int
    started_at: dt.datetime
    duration_ms: int
    status_code: int | None
    error: str = Field(description="the error's class when no answer came, else empty")
    succeeded: bool


class DeliveryOut(Schema):
    uuid: UUID
    event: str
    event_id: UUID
    status: str
    attempts: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    delivered_at: dt.datetime | None
    attempt_log: list[DeliveryAttemptOut]


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    count: int = Field(description=f"counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


class ListParams(InputSchema):
    limit: int = Field(25, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


class SubscriptionListParams(ListParams):
    status: SubscriptionStatusCode | None = None


class DeliveryListParams(ListParams):
    status: DeliveryStatusCode | None = None


def _out(subscription: Subscription, secret: str | None = None) -> dict[str, Any]:
    out = {name: getattr(subscription, name) for name in SubscriptionOut.model_fields}
    if secret is not None:
        out["secret"] = secret
    return out


def _delivery(delivery: Delivery) -> dict[str, Any]:
    fields = [n for n in DeliveryOut.model_fields if n != "attempt_log"]
    out = {name: getattr(delivery, name) for name in fields}
    out["attempt_log"] = [
        {name: getattr(a, name) for name in DeliveryAttemptOut.model_fields}
        for a in delivery.attempt_log.all()
    ]
    return out


def _require_manager(request: HttpRequest) -> None:
    if not may_manage(request.user):
        raise PermissionDenied(_("Your role cannot manage webhooks."))


@router.get("", response=SubscriptionPage, summary="The subscriptions of your organisations, newest first")
def list_subscriptions(request: HttpRequest, params: Query[SubscriptionListParams]) -> dict[str, Any]:
    _require_manager(request)
    rows = filter_subscriptions(request.user, params.status or "")
    return page_out(rows, params.limit, params.offset, _out)


@router.post("", response={201: SubscriptionWithSecret}, summary="Subscribe a receiver to events")
def create_subscription_api(request: HttpRequest, body: SubscriptionIn) -> Status:
    values = body.model_dump(exclude={"organisation_id"})
    with fields_renamed({"organisation": "organisation_id"}):  # the body's name for it
        subscription, secret = actions.create_subscription(request.user, values, body.organisation_id)
    return Status(201, _out(subscription, secret))


@router.get("/{subscription_uuid}", response=SubscriptionOut, summary="One subscription")
def get_subscription(request: HttpRequest, subscription_uuid: UUID) -> dict[str, Any]:
    return _out(get_subscription_for(request.user, subscription_uuid))


@router.patch(
    "/{subscription_uuid}", response=SubscriptionOut, summary="Change the URL, description or events"
)
def patch_subscription(
    request: HttpRequest, subscription_uuid: UUID, body: SubscriptionPatch
) -> dict[str, Any]:
    subscription = get_subscription_for(request.user, subscription_uuid)
    values = {k: v for k, v in body.model_dump(exclude={"version"}).items() if v is not None}
    return _out(actions.update_subscription(request.user, subscription, values, body.version))


@router.delete("/{subscription_uuid}", response={204: None}, summary="Delete (waiting events are cancelled)")
def delete_subscription_api(request: HttpRequest, subscription_uuid: UUID, version: int) -> Status:
    actions.delete_subscription(request.user, get_subscription_for(request.user, subscription_uuid), version)
    return Status(204, None)


@router.post("/{subscription_uuid}/pause", response=SubscriptionOut, summary="Stop sending until resumed")
def pause_api(request: HttpRequest, subscription_uuid: UUID, body: SubscriptionVersionIn) -> dict[str, Any]:
    subscription = get_subscription_for(request.user, subscription_uuid)
    return _out(actions.pause_subscription(request.user, subscription, body.version))


@router.post(
    "/{subscription_uuid}/resume", response=SubscriptionOut, summary="Send again, waiting events first"
)
def resume_api(request: HttpRequest, subscription_uuid: UUID, body: SubscriptionVersionIn) -> dict[str, Any]:
    subscription = get_subscription_for(request.user, subscription_uuid)
    return _out(actions.resume_subscription(request.user, subscription, body.version))


@router.post("/{subscription_uuid}/rotate", response=SubscriptionWithSecret, summary="Replace the secret")
def rotate_api(request: HttpRequest, subscription_uuid: UUID, body: SubscriptionVersionIn) -> dict[str, Any]:
    subscription = get_subscription_for(request.user, subscription_uuid)
    rotated, secret = actions.rotate_secret(request.user, subscription, body.version)
    return _out(rotated, secret)


@router.get("/{subscription_uuid}/deliveries", response=DeliveryPage, summary="Deliveries, newest first")
def list_deliveries(
    request: HttpRequest, subscription_uuid: UUID, params: Query[DeliveryListParams]
) -> dict[str, Any]:
    rows = deliveries_of(get_subscription_for(request.user, subscription_uuid), params.status or "")
    return page_out(rows, params.limit, params.offset, _delivery)
