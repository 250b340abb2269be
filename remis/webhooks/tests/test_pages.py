"""The webhook pages with the personas: wendy lists, creates (seeing the secret once),
edits, pauses, resumes, rotates and deletes after confirming; alice gets the 403 page and
no menu entry; bob gets 404 and changes nothing."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from remis.webhooks.models import Subscription, SubscriptionStatus

pytestmark = pytest.mark.django_db


def _create(client, receiver, **changes):
    data = {"url": receiver.url, "description": "Partner CMS", "events": ["case.registered", "case.closed"]}
    return client.post(reverse("webhook_create"), {**data, **changes})


def test_a_manager_creates_a_subscription_and_sees_its_secret_once(signed_in, wendy, receiver):
    client = signed_in(wendy)
    listing = client.get(reverse("webhook_list")).content.decode()
    assert "No webhook subscription yet." in listing
    assert reverse("webhook_list") in client.get(reverse("dashboard")).content.decode()  # the menu entry
    posted = _create(client, receiver)
    subscription = Subscription.objects.get()
    secret_url = reverse("webhook_secret", args=[subscription.uuid])
    assert posted.status_code == 302 and posted["Location"] == secret_url  # a reload sends nothing again
    answer = client.get(secret_url)
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"]
    html = answer.content.decode()
    assert subscription.secret in html
    again = client.get(secret_url)  # reloaded: shown once only, and no second subscription
    assert again.status_code == 302 and Subscription.objects.count() == 1
    detail = client.get(reverse("webhook_detail", args=[subscription.uuid])).content.decode()
    assert subscription.secret not in detail and "Nothing has been sent to this receiver yet." in detail
    listing = client.get(reverse("webhook_list")).content.decode()
    assert receiver.url in listing and "Case closed" in listing


def test_the_form_names_each_bad_field(signed_in, wendy):
    client = signed_in(wendy)
    html = client.post(
        reverse("webhook_create"), {"url": "http://example.org/", "events": []}
    ).content.decode()
    assert 'id="id_url_error"' in html and 'id="id_events_error"' in html
    assert "Choose at least one event." in html
    assert not Subscription.objects.exists()


def test_edit_pause_resume_rotate_and_delete(signed_in, wendy, receiver):
    client = signed_in(wendy)
    _create(client, receiver)
    subscription = Subscription.objects.get()
    edit = reverse("webhook_edit", args=[subscription.uuid])
    answer = client.post(
        edit, {"url": receiver.url, "description": "Renamed", "events": ["case.closed"], "version": 1}
    )
    assert answer.status_code == 302
    stale = client.post(
        edit, {"url": receiver.url, "description": "Stale", "events": ["case.closed"], "version": 1}
    )
    assert "Someone else saved this record" in stale.content.decode()
    subscription.refresh_from_db()
    assert subscription.description == "Renamed" and subscription.events == ["case.closed"]
    untouched = client.post(
        edit,
        {"url": receiver.url, "description": "Renamed", "events": ["case.closed"], "version": 2},
        follow=True,
    )
    assert "Nothing was changed." in untouched.content.decode()  # it claimed "saved"
    subscription.refresh_from_db()
    assert subscription.version == 2

    operation = lambda name: reverse("webhook_operation", args=[subscription.uuid, name])  # noqa: E731
    client.post(operation("pause"), {"version": 2})
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PAUSED
    paused = client.get(reverse("webhook_list"), {"status": "paused"}).content.decode()
    assert receiver.url in paused
    assert (
        "No subscription has this status."
        in client.get(reverse("webhook_list"), {"status": "active"}).content.decode()
    )
    client.post(operation("resume"), {"version": 3})
    old = subscription.secret
    rotated = client.post(operation("rotate"), {"version": 4}, follow=True).content.decode()
    subscription.refresh_from_db()
    assert subscription.secret != old and subscription.secret in rotated

    confirm = client.get(operation("delete")).content.decode()
    assert re.search(r'<form class="card" method="post">', confirm) and "Delete the subscription" in confirm
    assert Subscription.objects.get().deleted_at is None  # asking is not deleting
    assert client.post(operation("delete"), {"version": 5}).status_code == 302
    assert Subscription.objects.get().deleted_at is not None
    assert client.get(reverse("webhook_detail", args=[subscription.uuid])).status_code == 404


def test_a_member_without_the_permission_is_refused(signed_in, wendy, alice, receiver):
    _create(signed_in(wendy), receiver)
    subscription = Subscription.objects.get()
    client = signed_in(alice)
    assert reverse("webhook_list") not in client.get(reverse("dashboard")).content.decode()
    assert client.get(reverse("webhook_list")).status_code == 403
    assert client.get(reverse("webhook_create")).status_code == 403
    assert client.get(reverse("webhook_detail", args=[subscription.uuid])).status_code == 403
    answer = client.post(reverse("webhook_operation", args=[subscription.uuid, "pause"]), {"version": 1})
    assert answer.status_code == 403
    assert Subscription.objects.get().status == SubscriptionStatus.ACTIVE


def test_an_outsider_gets_404_and_changes_nothing(signed_in, wendy, bob, receiver):
    _create(signed_in(wendy), receiver)
    subscription = Subscription.objects.get()
    client = signed_in(bob)
    assert client.get(reverse("webhook_detail", args=[subscription.uuid])).status_code == 404
    assert client.get(reverse("webhook_edit", args=[subscription.uuid])).status_code == 404
    for name in ("pause", "rotate", "delete"):
        answer = client.post(reverse("webhook_operation", args=[subscription.uuid, name]), {"version": 1})
        assert answer.status_code == 404
    stored = Subscription.objects.get()
    assert stored.version == 1 and stored.deleted_at is None and stored.secret == subscription.secret


def test_the_list_pages_and_reads_a_fixed_number_of_queries(
    signed_in, wendy, receiver, django_assert_max_num_queries
):
    from remis.webhooks import actions

    for number in range(30):
        actions.create_subscription(wendy, {"url": f"{receiver.url}/{number}", "events": ["case.closed"]})
    client = signed_in(wendy)
    client.get(reverse("webhook_list"))  # sessions and grants warmed
    with django_assert_max_num_queries(12):
        first = client.get(reverse("webhook_list")).content.decode()
    assert f"{receiver.url}/29" in first and f"{receiver.url}/0<" not in first and 'rel="next"' in first
    second = client.get(reverse("webhook_list"), {"page": 2}).content.decode()
    assert f"{receiver.url}/0<" in second and 'rel="prev"' in second


def test_the_deliveries_log_pages_newest_first_in_a_fixed_number_of_queries(
    world, signed_in, wendy, receiver, django_assert_max_num_queries
):
    from remis.cases.tests.factories import register
    from remis.webhooks import actions
    from remis.webhooks.delivery import deliver_due

    subscription, _secret = actions.create_subscription(
        wendy, {"url": receiver.url, "events": ["case.registered"]}
    )
    receiver.script = [500, 200]
    for _ in range(30):
        register(world)
    deliver_due()  # the first fails (retried later), the others arrive
    client = signed_in(wendy)
    detail = reverse("webhook_detail", args=[subscription.uuid])
    client.get(detail)
    with django_assert_max_num_queries(12):
        first = client.get(detail).content.decode()
    assert first.count("status-delivered") == 25 and 'rel="next"' in first  # newest first: all delivered
    second = client.get(detail, {"page": 2}).content.decode()
    assert "HTTP 500" in second and "status-pending" in second
    waiting = client.get(detail, {"status": "pending"}).content.decode()
    assert waiting.count("<tr>") == 2  # the header row and the one waiting delivery


def test_a_failed_attempt_reads_as_a_sentence_in_the_readers_language(signed_in, wendy, receiver):
    """The log read "SSLCertVerificationError" in every language."""
    from remis.webhooks import actions
    from remis.webhooks.models import Attempt, Delivery

    subscription, _secret = actions.create_subscription(
        wendy, {"url": receiver.url, "events": ["case.registered"]}
    )
    delivery = Delivery.objects.create(
        subscription=subscription, event="case.registered", event_id=uuid.uuid4(), payload={}, attempts=1
    )
    Attempt.objects.create(
        delivery=delivery,
        number=1,
        started_at=timezone.now(),
        duration_ms=169,
        error="SSLCertVerificationError",
    )
    detail = reverse("webhook_detail", args=[subscription.uuid])
    french = signed_in(wendy).get(detail, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "le certificat du destinataire n’a pas pu être vérifié" in french
    assert "après une tentative échouée" in french
    assert "<td>Dossier créé<br>" in french  # the event in words; its code beside it


def test_the_audit_search_reads_webhook_entries_in_words(signed_in, wendy, receiver):
    """They read "webhooks.subscription #1", "Status: Active → paused" and the pause's
    reason under the case-access label "Access"."""
    from remis.audit.models import AuditEntry
    from remis.audit.presentation import describe_entries
    from remis.cases.policy import ALL_GROUPS

    client = signed_in(wendy)
    _create(client, receiver)
    subscription = Subscription.objects.get()
    client.post(reverse("webhook_operation", args=[subscription.uuid, "pause"]), {"version": 1})
    views = describe_entries(
        AuditEntry.objects.filter(action__startswith="webhooks.").order_by("id"), groups=ALL_GROUPS
    )
    created, paused = views[0], views[-1]
    assert "webhooks.subscription" not in created.object_label
    events = next(c for c in created.changes if c.field == "events")
    assert "case.closed" not in events.after
    status = next(c for c in paused.changes if c.field == "status")
    assert (status.before, status.after) == ("Active", "Paused")
