"""API tokens: read only unless made for writing, an expiry, listed with their last use, and
revocable by their owner and by an administrator of an organisation the owner belongs to."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from remis.accounts import actions
from remis.accounts.models import ApiToken, TokenAccess
from remis.audit.models import AuditEntry
from remis.cases.models import Case
from remis.cases.tests.factories import PASSWORD
from remis.cases.tests.test_api import new_case_body
from remis.lib.errors import PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def _day(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")


def _bearer(raw: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_page_makes_a_read_only_token_for_90_days_by_default_and_shows_it_once(client, world, alice):
    client.login(username=alice.username, password=PASSWORD)
    page = client.get(reverse("api_tokens")).content.decode()
    assert re.search(r'<input[^>]*value="read"[^>]*checked', page)
    assert re.search(r'<option value="90" selected>', page)
    response = client.post(
        reverse("api_tokens"), {"name": "Reporting script", "access": "read", "days": "90"}
    )
    assert response.status_code == 302  # shown after a redirect: reloading makes no second token
    shown = client.get(reverse("api_tokens")).content.decode()
    raw = re.search(r'<code id="raw-token">([^<]+)</code>', shown).group(1)  # type: ignore[union-attr]
    assert 'id="raw-token"' not in client.get(reverse("api_tokens")).content.decode()  # once
    token = ApiToken.objects.get(user=alice)
    assert token.access == TokenAccess.READ and token.prefix == raw[6:14]
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)
    assert "Read only" in shown and _day(token.expires_at) in shown
    issued = AuditEntry.objects.get(action="api_token.issue")
    assert issued.changes["access"] == [None, "read"] and raw not in str(issued.changes)


def test_bad_choices_are_named_and_make_no_token(client, world, alice):
    client.login(username=alice.username, password=PASSWORD)
    response = client.post(reverse("api_tokens"), {"name": "", "access": "admin", "days": "7"})
    assert response.status_code == 400
    page = response.content.decode()
    for field in ("name", "access", "days"):
        assert f'id="id_{field}_error"' in page
    assert not ApiToken.objects.exists()
    with pytest.raises(ValidationFailed) as error:
        actions.issue_api_token(alice, name="x", access="read", days=3650)
    assert error.value.field == "days"


def test_a_read_only_token_reads_and_is_refused_any_change(world, alice):
    _token, raw = actions.issue_api_token(alice, name="reader", access=TokenAccess.READ)
    client = Client()
    assert client.get("/api/v1/cases", **_bearer(raw)).status_code == 200
    searched = client.post(  # a read sent as POST, to keep names out of URLs
        "/api/v1/cases/search", {"q": "Barry"}, content_type="application/json", **_bearer(raw)
    )
    assert searched.status_code == 200, searched.content
    before = Case.objects.count()
    refused = client.post(
        "/api/v1/cases", new_case_body(world), content_type="application/json", **_bearer(raw)
    )
    assert refused.status_code == 403
    assert "may only read" in refused.json()["detail"]
    assert Case.objects.count() == before
    _token, writer = actions.issue_api_token(alice, name="writer", access=TokenAccess.READ_WRITE)
    made = client.post(
        "/api/v1/cases", new_case_body(world), content_type="application/json", **_bearer(writer)
    )
    assert made.status_code == 201, made.content
    assert Case.objects.count() == before + 1


def test_an_expired_token_no_longer_works_and_says_so_on_the_page(client, world, alice):
    token, raw = actions.issue_api_token(alice, name="old script", days=30)
    assert Client().get("/api/v1/cases", **_bearer(raw)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    refused = Client().get("/api/v1/cases", **_bearer(raw))
    assert refused.status_code == 401
    # Said why (it read "A valid API token is required.", as for a token mistyped).
    assert refused.json()["detail"].startswith("This token expired on")
    assert Client().get("/api/v1/cases", HTTP_AUTHORIZATION="Bearer remis_mistyped").json()["detail"] == (
        "This API token is not valid: check that it was copied whole, or make a new one."
    )
    client.login(username=alice.username, password=PASSWORD)
    page = client.get(reverse("api_tokens")).content.decode()
    assert "Expired" in page and f'value="{token.pk}"' not in page  # nothing left to revoke


def test_the_last_use_is_listed(client, world, alice):
    token, raw = actions.issue_api_token(alice, name="script", access=TokenAccess.READ)
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None
    Client().get("/api/v1/cases", **_bearer(raw))
    used = ApiToken.objects.get(pk=token.pk).last_used_at
    assert used is not None
    client.login(username=alice.username, password=PASSWORD)
    row = re.search(
        r"<tr><td><bdi>script</bdi>.*?</tr>", client.get(reverse("api_tokens")).content.decode(), re.S
    )
    # With its time: an owner checking whether a leaked token was used minutes ago could
    # not tell from the day alone.
    moment = date_format(timezone.localtime(used), "SHORT_DATETIME_FORMAT")
    assert row and moment in row.group(0) and ":" in moment


def test_an_administrator_revokes_a_members_token_from_the_members_page(signed_in, world, olga, alice):
    token, raw = actions.issue_api_token(alice, name="leaked script")
    url = reverse("member_detail", args=[world.be_office.pk, alice.pk])
    client = signed_in(olga)
    page = client.get(url).content.decode()
    assert "leaked script" in page and 'data-confirm="Revoke this token?"' in page
    assert client.post(url, {"step": "revoke_token", "token": str(token.pk)}).status_code == 302
    refused = Client().get("/api/v1/cases", **_bearer(raw))
    assert refused.status_code == 401 and refused.json()["detail"].startswith("This token was revoked on")
    revoked = AuditEntry.objects.get(action="api_token.revoke")
    assert revoked.actor_id == olga.pk and revoked.object_id == str(token.pk)
    # Again (a second tab): nothing more is written.
    client.post(url, {"step": "revoke_token", "token": str(token.pk)})
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1


def test_nobody_else_revokes_a_token(signed_in, world, nils, alice, carol):
    token, raw = actions.issue_api_token(alice, name="script")
    # The Dutch office's administrator: Alice is not one of their users.
    response = signed_in(nils).post(
        reverse("member_detail", args=[world.be_office.pk, alice.pk]),
        {"step": "revoke_token", "token": str(token.pk)},
    )
    assert response.status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        actions.revoke_api_token(carol, token)  # another member, no administrator
    # Another user's own tokens page offers nothing of Alice's.
    other = signed_in(carol)
    other.post(reverse("api_tokens"), {"revoke": str(token.pk)})
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert Client().get("/api/v1/cases", **_bearer(raw)).status_code == 200


def test_the_owner_revokes_their_token(client, world, alice):
    token, raw = actions.issue_api_token(alice, name="script")
    client.login(username=alice.username, password=PASSWORD)
    assert client.post(reverse("api_tokens"), {"revoke": str(token.pk)}).status_code == 302
    assert Client().get("/api/v1/cases", **_bearer(raw)).status_code == 401
    assert "Revoked" in client.get(reverse("api_tokens")).content.decode()


def test_two_revocations_at_once_leave_one_revoked_token_and_one_entry(parallel_db, world, olga, alice):
    token, raw = actions.issue_api_token(alice, name="leaked")

    def by_owner() -> bool:
        return actions.revoke_api_token(alice, ApiToken.objects.get(pk=token.pk))

    def by_administrator() -> bool:
        return actions.revoke_api_token(olga, ApiToken.objects.get(pk=token.pk), organisation=world.be_office)

    results = parallel_db(by_owner, by_administrator)
    assert sorted(results) == [False, True], results  # one did it, the other found it done
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert Client().get("/api/v1/cases", **_bearer(raw)).status_code == 401


def test_a_token_tells_whom_it_acts_for_and_through_which_organisations(api_client, world):
    """An integrator needed an organisation id for POST /cases and no endpoint gave it."""
    me = api_client.as_(world.alice).get("/me")
    assert me.status_code == 200, me.content
    body = me.json()
    assert body["username"] == "alice"
    [membership] = body["memberships"]
    assert membership["organisation_id"] == world.be_office.pk and membership["organisation"] == "IOM Belgium"
    assert membership["role"] == "counsellor" and membership["countries"] == ["BE"]
    assert "case.register" in membership["permissions"]
    from django.test import Client

    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer nothing").status_code == 401


def test_a_token_sent_under_another_scheme_is_refused_and_never_logged(
    client, world, alice, caplog, settings
):
    """Ninja logged the whole header at ERROR when its scheme was not "Bearer" (DEBUG on, as
    bin/demo runs): a real token sent as "Token remis_…" ended in the server's log."""
    import logging

    from remis.accounts.tests.tokens import bearer_key

    settings.DEBUG = True
    raw = bearer_key(alice)
    with caplog.at_level(logging.DEBUG):
        for header in (f"Token {raw}", f"token {raw}", "Bearer", f"Basic {raw}"):
            response = client.get("/api/v1/cases", HTTP_AUTHORIZATION=header)
            assert response.status_code == 401, header
    assert raw not in caplog.text
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"bearer {raw}").status_code == 200


def test_a_read_only_token_searches_an_organisations_users(world):
    """`GET …/users?q=` says to search by POST to `…/users/search`; a read-only token was
    then refused it as a change."""
    from remis.cases.tests.factories import make_user

    olga = make_user("olga", world.be_office, "administrator", ["BE"])
    _token, raw = actions.issue_api_token(olga, name="reader", access=TokenAccess.READ)
    client = Client()
    found = client.post(
        f"/api/v1/organisation/{world.be_office.pk}/users/search",
        {"q": "alice"},
        content_type="application/json",
        **_bearer(raw),
    )
    assert found.status_code == 200, found.content
    assert [m["username"] for m in found.json()["items"]] == ["alice"]
    invited = client.post(  # a change is still refused
        f"/api/v1/organisation/{world.be_office.pk}/users",
        {"username": "bob", "role": "viewer", "countries": ["BE"]},
        content_type="application/json",
        **_bearer(raw),
    )
    assert invited.status_code == 403
