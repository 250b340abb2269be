from __future__ import annotations

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Webhook subscriptions of organisations: an outbox written in the transaction of each
    subscribed event, delivered by the worker, signed, retried and paused when failing.
    Last on the data flow: it listens to earlier apps' events and nothing imports it."""

    name = "remis.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from remis.cases.extensions import WorkSource, register_work_list
        from remis.lib.events import subscribe_in_transaction
        from remis.webhooks import audit_fields
        from remis.webhooks.catalogue import CATALOGUE
        from remis.webhooks.outbox import write_outbox
        from remis.webhooks.work import paused_webhooks

        audit_fields.register()

        for item in CATALOGUE:
            subscribe_in_transaction(item.event_type, write_outbox)
        register_work_list(WorkSource("webhooks_paused", paused_webhooks, order=90))
