"""Reading a case's assessments (health, protection, psychosocial answers), on their pages
or through the API, is an opening of the case in the read log, as the case page is."""

from __future__ import annotations

import pytest
from django.urls import reverse

from remis.assessments import actions
from remis.assessments.tests.factories import answers
from remis.audit.models import CaseRead

pytestmark = pytest.mark.django_db


def test_the_assessment_pages_and_api_reads_are_logged_with_their_groups(
    client, api_client, world, case, today
):
    assessment = actions.record_assessment(world.bob, case, answers(), assessed_on=today, complete=False)
    client.force_login(world.bob)
    for url in (
        reverse("case_assessments", args=[case.uuid]),
        reverse("assessment_detail", args=[assessment.uuid]),
    ):
        assert client.get(url).status_code == 200, url
    pages = CaseRead.objects.filter(actor=world.bob, case_uuid=case.uuid, channel="record")
    assert pages.count() == 2 and all("health" in read.groups for read in pages)
    api = api_client.as_(world.bob)
    for path in (f"/cases/{case.uuid}/assessments", f"/assessments/{assessment.uuid}"):
        assert api.get(path).status_code == 200, path
    assert CaseRead.objects.filter(actor=world.bob, case_uuid=case.uuid, channel="api").count() == 2
