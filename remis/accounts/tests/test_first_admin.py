"""A real deployment starts from an empty database with one command; the people it creates
sign in with their initial password and replace it."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from remis.accounts.models import Membership, Organisation, User
from remis.accounts.permissions import Perm
from remis.accounts.scope import has_perm
from remis.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _bootstrap() -> dict[str, str]:
    out = io.StringIO()
    call_command(
        "create_first_admin",
        organisation="IOM Niger",
        country="NE",
        admin="amina",
        operator="ops",
        stdout=out,
    )
    return dict(re.findall(r"^\s+(\S+)\s+initial password: (\S+)$", out.getvalue(), re.M))


def test_an_empty_database_gets_its_organisation_administrator_and_operator(client):
    passwords = _bootstrap()
    org = Organisation.objects.get()
    assert (org.name, org.country) == ("IOM Niger", "NE")
    roles = dict(Membership.objects.values_list("user__username", "role_id"))
    assert roles == {"amina": "administrator", "ops": "platform_operator"}
    operator = User.objects.get(username="ops")
    assert has_perm(operator, Perm.PLATFORM_MANAGE) and not has_perm(operator, Perm.CASE_VIEW)
    assert AuditEntry.objects.filter(action="organisation.create", actor__username="system").exists()
    assert client.login(username="amina", password=passwords["amina"])
    # The administrator manages the organisation's users; the operator the organisations.
    assert client.get(reverse("member_list", args=[org.pk])).status_code == 200
    assert client.get(reverse("organisation_list")).status_code == 403
    assert client.login(username="ops", password=passwords["ops"])
    assert client.get(reverse("organisation_list")).status_code == 200
    assert client.get(reverse("member_list", args=[org.pk])).status_code == 403
    # A kind that cannot be read is named and lists no organisation (all were listed under it).
    refused = client.get(reverse("organisation_list"), {"kind": "Mission"}).content.decode()
    assert "Select a valid choice" in refused and org.name not in refused
    assert org.name in client.get(reverse("organisation_list")).content.decode()


def test_it_refuses_a_database_that_has_people(world):
    with pytest.raises(CommandError, match="already has"):
        _bootstrap()


def test_a_user_replaces_their_password(client, world, alice):
    from remis.cases.tests.factories import PASSWORD

    client.login(username="alice", password=PASSWORD)
    elsewhere = Client()  # the same person signed in on another device
    elsewhere.login(username="alice", password=PASSWORD)
    url = reverse("change_password")
    assert "signs you out on your other devices" in client.get(url).text
    wrong = client.post(url, {"current": "nope", "new": "Sahel-rain-2026!", "repeat": "Sahel-rain-2026!"})
    assert wrong.status_code == 400 and "current password is not right" in wrong.content.decode()
    weak = client.post(url, {"current": PASSWORD, "new": "123", "repeat": "123"})
    assert weak.status_code == 400
    same = client.post(url, {"current": PASSWORD, "new": PASSWORD, "repeat": PASSWORD})
    assert same.status_code == 400 and "not the one you have now" in same.content.decode()
    done = client.post(url, {"current": PASSWORD, "new": "Sahel-rain-2026!", "repeat": "Sahel-rain-2026!"})
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("Sahel-rain-2026!")
    entry = AuditEntry.objects.get(action="user.change_password")
    assert "Sahel" not in str(entry.changes)
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200  # still signed in here, and told of the others
    assert "signed out on your other devices" in page.text
    assert elsewhere.get(reverse("dashboard")).status_code == 302  # signed out there


def test_a_short_password_is_refused_in_arabic_too(client, world, alice):
    """Django 5.2 asks its length message with %d, which its Arabic catalogue lacks: the
    refusal read in English on an Arabic page."""
    from remis.cases.tests.factories import PASSWORD

    client.login(username="alice", password=PASSWORD)
    refused = client.post(
        reverse("change_password"),
        {"current": PASSWORD, "new": "short", "repeat": "short"},
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert refused.status_code == 400 and "كلمة المرور هذه قصيرة جدًا" in refused.content.decode()
    assert "too short" not in refused.content.decode()
