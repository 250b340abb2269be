"""How the webhooks' audit entries read in the audit search: the subscription by name, its
status and pause reason in words, its fields labelled (they read "webhooks.subscription #1",
"Status: Active → paused", and the pause's reason under the case-access label "Access")."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from remis.audit.presentation import Shown, choices, extend_field, register_field, register_object


def _events(values: set[Any]) -> dict[Any, Shown]:
    """Event codes (each of a list) by their names."""
    from remis.webhooks.catalogue import CATALOGUE

    names = {item.code: str(item.label) for item in CATALOGUE}
    return {value: Shown(names[value]) for value in values if value in names}


def register() -> None:
    from remis.webhooks.models import PausedReason, SubscriptionStatus

    kinds = ["webhooks.subscription"]
    register_object("webhooks.subscription", _("Webhook subscription"))
    extend_field("status", choices(SubscriptionStatus), object_types=kinds)
    extend_field("reason", choices(PausedReason), _("Reason for the pause"), object_types=kinds)
    for name, label in (
        ("url", _("Receiver URL")),
        ("deleted", _("Deleted")),
        ("requeued", _("Deliveries sent again")),
        ("secret", _("Signing secret")),
    ):
        register_field(name, label)
    register_field("events", _("Events"), _events)
