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


def test_the_ready_message_counts_with_plurals_in_the_readers_language() -> None:
    """It was built once, in the requester's language ("1 rows"), and stayed English on an
    Arabic Jobs page; the Jobs page now says it again from the result."""
    from django.utils import translation

    from remis.jobs.registry import job_kind
    from remis.reports.research.requests import BUILD, ready_message

    assert ready_message({"rows": 1, "suppressed": 0}) == "The extract is ready: 1 row. 0 rows were left out."
    with translation.override("fr"):
        assert "1 ligne" in ready_message({"rows": 1, "suppressed": 2})
    kind = job_kind(BUILD)
    assert kind is not None and kind.describe is ready_message
