"""The webhook pages, in English, French and Arabic, are valid HTML for the Nu HTML checker:
the list (empty and filled), the forms (with errors), a subscription with its deliveries
and attempts, the secret shown once, the delete confirmation, and my work and the dashboard
with a paused webhook."""

from __future__ import annotations

from pathlib import Path

from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from remis.assistance.tests.test_plan_pages_are_valid_html import render
from remis.cases.tests.factories import PASSWORD, register
from remis.webhooks import actions
from remis.webhooks.delivery import deliver_due
from tests.test_pages_are_valid_html import LANGUAGES, Visit, run_vnu


@override_settings(REMIS_WEBHOOKS_PAUSE_AFTER=1)
def test_webhook_pages_are_valid_html_in_every_language(world, wendy, receiver, tmp_path):
    empty = [Visit("webhooks-empty", wendy, reverse("webhook_list"))]
    files: list[Path] = []
    with translation.override(translation.get_language()):
        render(empty, tmp_path, files)
    subscription, _secret = actions.create_subscription(
        wendy, {"url": receiver.url, "events": ["case.registered", "case.closed"], "description": "CMS"}
    )
    receiver.script = [500]
    register(world)
    deliver_due()  # fails once: paused (PAUSE_AFTER=1), an attempt in the log
    detail = reverse("webhook_detail", args=[subscription.uuid])
    visits = [
        Visit("webhooks-list", wendy, reverse("webhook_list")),
        Visit("webhooks-list-filtered", wendy, reverse("webhook_list") + "?status=active"),
        Visit("webhooks-new", wendy, reverse("webhook_create")),
        Visit(
            "webhooks-new-errors",
            wendy,
            reverse("webhook_create"),
            {"url": "http://example.org/", "events": []},
        ),
        Visit("webhooks-detail", wendy, detail),
        Visit("webhooks-detail-empty", wendy, detail + "?status=delivered"),
        Visit("webhooks-edit", wendy, reverse("webhook_edit", args=[subscription.uuid])),
        Visit("webhooks-delete", wendy, reverse("webhook_operation", args=[subscription.uuid, "delete"])),
        Visit("webhooks-my-work", wendy, reverse("my_work") + "?now=1"),
        Visit("webhooks-dashboard", wendy, reverse("dashboard")),
    ]
    with translation.override(translation.get_language()):
        render(visits, tmp_path, files)
    for language in LANGUAGES:  # the secret, shown once after the form (its own session)
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        assert client.login(username=wendy.username, password=PASSWORD)
        form = {"url": receiver.url, "events": ["case.closed"]}
        shown = client.post(reverse("webhook_create"), form, follow=True)
        assert shown.status_code == 200 and b"whsec_" in shown.content, language
        path = tmp_path / f"webhooks-secret.{language}.html"
        path.write_text(shown.content.decode(), encoding="utf-8")
        files.append(path)
    assert "Webhooks paused after repeated failures" in (tmp_path / "webhooks-my-work.en.html").read_text()
    errors = [m for m in run_vnu(files) if m.get("type") != "info"]
    report = [f"{m['message']} at {Path(m.get('url', '')).name}:{m.get('lastLine', '?')}" for m in errors]
    assert not errors, "\n".join(report)
