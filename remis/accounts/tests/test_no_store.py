"""No page served to a signed-in user is kept in the browser's cache: only the case page
said so, and an assessment's, a plan's or a round's page stayed in a shared computer's
cache after sign-out."""

from __future__ import annotations

import pytest
from django.urls import reverse

from remis.cases.tests.factories import returned_case

pytestmark = pytest.mark.django_db


def test_every_signed_in_page_says_no_store(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # its rounds are scheduled on commit
        case = returned_case(world)
    client.force_login(world.bob)
    pages = [
        reverse("case_list"),
        reverse("case_detail", args=[case.uuid]),
        reverse("follow_up_detail", args=[case.uuid, 1]),
        reverse("plan_detail", args=[case.uuid]),
        reverse("dashboard"),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], page
