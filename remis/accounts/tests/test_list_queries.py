"""The administration lists cost the same number of queries whatever the number of rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from remis.accounts import actions
from remis.accounts.system import system_actor
from remis.cases.tests.factories import make_user

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_members_list_does_not_query_per_row(signed_in, world, olga):
    client = signed_in(olga)
    url = reverse("member_list", args=[world.be_office.pk])
    few = _queries(client, url)
    for n in range(12):
        make_user(f"staff{n}", world.be_office, "counsellor", ["BE"])
        actions.invite_user(
            olga,
            world.be_office,
            username=f"new{n}",
            first_name="New",
            last_name=f"Person {n}",
            role="viewer",
            countries=["BE"],
        )
    assert _queries(client, url) == few


def test_the_organisations_list_does_not_query_per_row(signed_in, world, paul):
    client = signed_in(paul)
    url = reverse("organisation_list")
    few = _queries(client, url)
    for n in range(12):
        actions.create_organisation(system_actor(), name=f"Partner {n}", kind="ngo", country="GN")
    assert _queries(client, url) == few
