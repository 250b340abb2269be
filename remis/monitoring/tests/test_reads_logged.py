"""Reading a case's follow-up rounds and answers (distress, safety, re-migration), on a
round's page or through the API, is an opening of the case in the read log."""

from __future__ import annotations

import pytest
from django.urls import reverse

from remis.audit.models import CaseRead
from remis.cases.tests.factories import returned_case

pytestmark = pytest.mark.django_db


def test_a_rounds_page_and_the_api_reads_of_rounds_and_responses_are_logged(
    client, api_client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = returned_case(world)
    client.force_login(world.bob)
    assert client.get(reverse("follow_up_detail", args=[case.uuid, 1])).status_code == 200
    assert CaseRead.objects.filter(actor=world.bob, case_uuid=case.uuid, channel="record").count() == 1
    api = api_client.as_(world.bob)
    for path in (f"/monitoring/cases/{case.uuid}/follow-ups", f"/monitoring/cases/{case.uuid}/responses"):
        assert api.get(path).status_code == 200, path
    assert CaseRead.objects.filter(actor=world.bob, case_uuid=case.uuid, channel="api").count() == 2
