"""The research extracts page on a database of its own (the extracts' other tests share a
generated dataset for the module)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from remis.reports.models import ResearchExtract

pytestmark = pytest.mark.django_db

START = dt.date(2000, 1, 1)


def test_the_list_reads_a_fixed_number_of_queries(client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from remis.cases.tests.factories import make_world

    world = make_world()
    client.force_login(world.carol)  # an M&E officer

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/reports/research/").status_code == 200
        return len(captured)

    ResearchExtract.objects.create(
        start=START, end=START, k=5, language="en", requested_by=world.carol, programme=world.programme
    )
    one = queries()
    for _n in range(6):
        ResearchExtract.objects.create(
            start=START, end=START, k=5, language="en", requested_by=world.carol, programme=world.programme
        )
    assert queries() == one
