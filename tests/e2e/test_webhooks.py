"""Webhooks in a browser, in English, French and Arabic: an administrator opens Webhooks
from the menu (empty list), sends the new-subscription form empty (each field says what is
wrong), subscribes a receiver on 127.0.0.1 to "case created", copies the secret shown once,
and, once a case is registered, the real background worker delivers the event, signed with
that secret, and the subscription's deliveries log shows it delivered."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

WORDS = {
    "en-GB": {"lang": "en", "nav": "Webhooks", "empty": "No webhook subscription yet."},
    "fr-FR": {"lang": "fr", "nav": "Webhooks", "empty": "Aucun abonnement webhook pour l’instant."},
    "ar": {"lang": "ar", "nav": "خطافات الويب", "empty": "لا توجد اشتراكات في خطافات الويب بعد."},
}


@pytest.mark.parametrize("locale", WORDS)
def test_subscribe_a_receiver_and_see_an_event_delivered(world, login, start_worker, locale):
    from remis.cases.tests.factories import make_user, register
    from remis.webhooks.tests.receiver import running_receiver

    words = WORDS[locale]
    wendy = make_user("wendy", world.be_office, "administrator", ["BE"])
    with running_receiver() as receiver:
        page = login(wendy, locale)
        expect(page.locator("html")).to_have_attribute("lang", words["lang"])
        page.get_by_role("navigation").get_by_role("link", name=words["nav"], exact=True).click()
        expect(page.locator("main .empty")).to_have_text(words["empty"])

        page.locator("main a[href$='/webhooks/new/']").click()
        page.locator("main form button.primary").click()  # nothing filled in
        expect(page.locator("#id_url_error")).to_be_visible()
        expect(page.locator("#id_events_error")).to_be_visible()

        page.locator("#id_url").fill(receiver.url)
        page.locator("#id_description").fill(f"Partner CMS ({words['lang']})")
        page.locator("input[name=events][value='case.registered']").check()
        page.locator("main form button.primary").click()
        secret = page.locator("#webhook-secret")
        expect(secret).to_contain_text("whsec_")
        receiver.secret = secret.inner_text().strip()

        start_worker()
        case = register(world)  # committed: the outbox row, then the worker's task
        deadline = time.monotonic() + 60
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.2)
        assert receiver.received, "the worker delivered nothing within 60 s"
        (got,) = receiver.received
        assert receiver.verified(got) and got.payload["case"]["uuid"] == str(case.uuid)

        page.locator("main a[href*='/webhooks/']").first.click()  # back to the subscription
        page.reload()
        expect(page.locator("main tbody .status-delivered")).to_have_count(1, timeout=30_000)
        expect(page.locator("main tbody")).to_contain_text("HTTP 200")
