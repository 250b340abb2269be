"""Webhook subscriptions of organisations, their outbox of deliveries and each attempt.

A `Delivery` row is written in the transaction of the change it announces (the outbox);
the worker sends it (`delivery.py`). Rows hold ids and codes only (`payloads.py`)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")  # events are written to its outbox and sent
    PAUSED = "paused", _("Paused")  # events still queue up; nothing is sent until resumed


class PausedReason(models.TextChoices):
    NONE = "", _("Not paused")
    BY_USER = "by_user", _("Paused by a user")
    FAILING = "failing", _("Paused after repeated failures")


class Subscription(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="webhook_subscriptions"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)  # event codes (catalogue.py)
    # Kept as written: deliveries sign with it. Shown to people once, on creation and rotation.
    secret = models.CharField(max_length=128)
    status = models.CharField(
        max_length=16, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE
    )
    paused_reason = models.CharField(max_length=16, choices=PausedReason.choices, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)  # deletions are soft
    version = models.PositiveIntegerField(default=1)  # optimistic locking of edits

    class Meta:
        indexes = [models.Index(fields=["organisation", "status"], name="webhook_sub_org_status")]

    def __str__(self) -> str:
        return f"webhook {self.uuid}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")  # to be sent at next_attempt_at
    SENDING = "sending", _("Sending")  # claimed by a worker until claimed_until
    DELIVERED = "delivered", _("Delivered")  # the receiver answered 2xx
    CANCELLED = "cancelled", _("Cancelled")  # its subscription was deleted


class Delivery(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=64)  # the event code
    event_id = models.UUIDField()  # one per event, the same for every subscription it reaches
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_recent"),
        ]

    @property
    def event_label(self) -> str:
        """The event in the reader's words ("Visit recorded"); the code is shown beside it."""
        from remis.webhooks.catalogue import event_label

        return event_label(self.event)


class Attempt(models.Model):
    """One try at sending a delivery: the answer's status code or the error's class, and how
    long it took. The receiver's body is not kept (it could quote anything)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=64, blank=True)  # an exception class name, or ""
    succeeded = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_once")]

    @property
    def error_text(self) -> str:
        """What went wrong, in the reader's words: the class name is kept for those who
        debug the receiver (shown beside it), a sentence for those who run it."""
        for names, text in _ERROR_TEXTS:
            if self.error in names:
                return str(text)
        return str(_("the connection failed"))


# The errors a POST meets, by the exception's class name (`delivery._send`).
_ERROR_TEXTS = (
    (("UnresolvedHost", "gaierror"), _("the receiver's name could not be found")),
    (("RefusedAddress",), _("the address is not allowed (a private or local network)")),
    (
        ("SSLCertVerificationError", "SSLError", "CertificateError"),
        _("the receiver's certificate could not be verified"),
    ),
    (("TimeoutError", "timeout", "ReadTimeout", "ConnectTimeout"), _("no answer in time")),
    (("ConnectionRefusedError",), _("the receiver refused the connection")),
    (("ConnectionResetError", "RemoteDisconnected", "BrokenPipeError"), _("the connection was cut")),
)
