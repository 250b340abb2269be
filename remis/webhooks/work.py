"""The "webhook paused" work list: subscriptions the worker paused after repeated failures,
shown to those who may resume them (my work and the dashboard)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from remis.cases.extensions import WorkItem, WorkList, capped_count
from remis.webhooks.queries import may_manage, paused_for

FIRST_ROWS = 5


def paused_webhooks(actor: Any) -> WorkList | None:
    if not may_manage(actor):
        return None
    rows = paused_for(actor).order_by("paused_at", "id")
    count, more = capped_count(rows)
    if not count:
        return None
    items = [
        WorkItem(
            label=_("Webhook paused: %(url)s") % {"url": s.url},
            url=reverse("webhook_detail", args=[s.uuid]),
            due=s.paused_at.date() if s.paused_at else None,
            overdue=False,  # paused: nothing is due until someone resumes it (it read "Overdue")
        )
        for s in rows[:FIRST_ROWS]
    ]
    return WorkList(
        name="webhooks_paused",
        title=_("Webhooks paused after repeated failures"),
        count=count,
        more=more,
        items=items,
        url=reverse("webhook_list") + "?status=paused",
    )
