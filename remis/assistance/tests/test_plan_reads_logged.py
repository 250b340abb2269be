"""Reading a case's plan, on its page or through the API, is an opening of the case in the
read log, as the case page is: it was read unlogged, and the data-protection focal point
would conclude nobody had looked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from remis.assistance.tests.factories import draft_plan, first_item
from remis.audit.models import CaseRead

pytestmark = pytest.mark.django_db


def test_the_plan_page_and_its_api_reads_are_logged(client, api_client, world, case):
    version = draft_plan(world.bob, case)
    client.force_login(world.bob)
    assert client.get(reverse("plan_detail", args=[case.uuid])).status_code == 200
    item = first_item(version)
    for url in (reverse("plan_item", args=[case.uuid, item.pk]), reverse("plan_compare", args=[case.uuid])):
        assert client.get(url).status_code == 200, url
    pages = CaseRead.objects.filter(actor=world.bob, case_uuid=case.uuid, channel="record")
    assert pages.count() == 3  # the plan, its item (payments), the versions compared
    api = api_client.as_(world.bob)
    for path in (
        f"/plans/cases/{case.uuid}",
        f"/plans/cases/{case.uuid}/versions/{version.number}",
        f"/plans/items/{item.pk}/instalments",
    ):
        assert api.get(path).status_code == 200, path
    reads = CaseRead.objects.filter(actor=world.bob, case_uuid=case.uuid, channel="api")
    assert reads.count() == 3 and {read.organisation for read in reads} == {world.gn_partner}
