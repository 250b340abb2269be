"""A signed-in session left without a request for REMIS_SESSION_IDLE_MINUTES is signed out:
the next page asks to sign in again, says why, and leads back to the page asked for."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from remis.accounts.middleware import LAST_SEEN_KEY
from remis.cases.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _idle_for(client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_a_session_idle_too_long_is_signed_out_and_told_why(client, world, alice, settings):
    settings.REMIS_SESSION_IDLE_MINUTES = 30
    client.login(username=alice.username, password=PASSWORD)
    assert client.get(reverse("case_list")).status_code == 200
    _idle_for(client, 31 * 60)
    response = client.get(reverse("case_list") + "?q=Mariama")
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=%2Fcases%2F"  # the path, not the search
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "signed out after 30 minutes without activity" in page
    assert client.get(reverse("case_list")).status_code == 302  # still signed out


def test_a_form_sent_after_the_timeout_is_not_replayed_but_said_and_leads_back(
    client, world, alice, settings
):
    """The note typed was lost without a word, and signing in led to the dashboard."""
    from remis.cases.tests.factories import register

    case = register(world)
    settings.REMIS_SESSION_IDLE_MINUTES = 30
    client.login(username=alice.username, password=PASSWORD)
    _idle_for(client, 31 * 60)
    address = reverse("case_step", args=[case.uuid, "note"])
    response = client.post(address, {"body": "Met at the airport"})
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=" + address.replace("/", "%2F")
    assert "_auth_user_id" not in client.session
    told = client.get(response["Location"]).content.decode()
    assert "What you were sending was not saved: enter it again." in told
    assert not case.notes.exists()
    client.login(username=alice.username, password=PASSWORD)
    back = client.get(address)  # where the sign-in's `next` leads: the case page
    assert back.status_code == 302 and back["Location"].startswith(reverse("case_detail", args=[case.uuid]))


def test_activity_keeps_the_session_and_is_noted_at_most_once_a_minute(client, world, alice, settings):
    settings.REMIS_SESSION_IDLE_MINUTES = 30
    client.login(username=alice.username, password=PASSWORD)
    _idle_for(client, 29 * 60)
    assert client.get(reverse("case_list")).status_code == 200
    noted = client.session[LAST_SEEN_KEY]
    assert abs(noted - time.time()) < 5
    _idle_for(client, 20)  # a request 20 s after the last: nothing to write
    client.get(reverse("case_list"))
    assert int(time.time()) - client.session[LAST_SEEN_KEY] >= 20


def test_a_fragment_request_sends_the_whole_page_to_sign_in(client, world, alice, settings):
    settings.REMIS_SESSION_IDLE_MINUTES = 5
    client.login(username=alice.username, password=PASSWORD)
    client.get(reverse("case_list"))
    _idle_for(client, 6 * 60)
    response = client.get(reverse("case_list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login") + "?next=")


def test_a_panel_asked_after_signing_out_in_another_tab_sends_the_page_to_sign_in(client, world, alice):
    """The case list's Search, after a sign-out in another tab, swapped the whole sign-in
    page into the results, and signing in there did not work."""
    client.login(username=alice.username, password=PASSWORD)
    client.get(reverse("case_list"))
    client.logout()  # the other tab
    response = client.post(reverse("case_list"), {"q": "Diallo"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and not response.content
    assert response["HX-Redirect"].startswith(reverse("login") + "?next=")
    # Without htmx, the ordinary redirect to the sign-in page.
    assert client.get(reverse("case_list")).status_code == 302


def test_api_tokens_are_not_sessions(client, world, alice, settings):
    from remis.accounts.actions import issue_api_token

    settings.REMIS_SESSION_IDLE_MINUTES = 1
    _token, raw = issue_api_token(alice, name="script")
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_a_form_address_opened_as_a_page_goes_to_the_page_above(client, world, alice):
    """Signed in again, the browser went back to where the refer form was being sent and met
    a blank "405": it goes to the case (the nearest page above) instead."""
    import uuid

    from remis.cases.tests.factories import register

    case = register(world)
    client.login(username=alice.username, password=PASSWORD)
    opened = client.get(reverse("referral_create", args=[case.uuid]))
    assert opened.status_code == 302 and opened["Location"] == f"/cases/{case.uuid}/"
    assert client.get(reverse("job_start"))["Location"] == "/jobs/"
    assert client.get(f"/api/v1/cases/{uuid.uuid4()}/notes", HTTP_AUTHORIZATION="Bearer x").status_code != 302


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "signed out after 1 minute without"), ("fr", "déconnecté après 1 minute sans")],
)
def test_one_minute_reads_as_one_minute(client, world, alice, settings, language, said):
    """ "déconnecté après 1 minutes" with REMIS_SESSION_IDLE_MINUTES=1."""
    settings.REMIS_SESSION_IDLE_MINUTES = 1
    client.login(username=alice.username, password=PASSWORD)
    client.cookies["django_language"] = language
    _idle_for(client, 2 * 60)
    page = client.get(reverse("case_list"), follow=True).content.decode()
    assert said in page


def test_a_form_sent_after_signing_out_in_another_tab_is_said_not_saved(client, world, alice):
    """Signed out in another tab, a note typed in this one went to the sign-in page
    without a word; after signing in, the box was empty and nothing said why."""
    from django.test import Client

    from remis.cases.tests.factories import register

    case = register(world)
    client.login(username=alice.username, password=PASSWORD)
    other_tab = Client()
    other_tab.cookies = client.cookies
    other_tab.post(reverse("logout"))
    response = client.post(reverse("case_step", args=[case.uuid, "note"]), {"body": "Met at the airport"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login") + "?")
    told = client.get(response["Location"]).content.decode()
    assert "You were signed out. What you were sending was not saved" in told
    assert not case.notes.exists()
    page = client.get(reverse("login")).content.decode()
    assert "You were signed out" not in page  # said once, not to every later visitor
