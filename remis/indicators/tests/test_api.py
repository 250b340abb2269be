"""/api/v1/indicator-frameworks: the frameworks and a framework's results, by the page's
rules (scope, small cells, bad input named)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from remis.cases.tests.factories import returned_case
from remis.indicators.models import Framework

pytestmark = pytest.mark.django_db


def test_frameworks_and_results_are_read(api_client: Any, world: Any) -> None:
    returned_case(world)
    api = api_client.as_(world.carol)
    listed = api.get("/indicator-frameworks")
    assert listed.status_code == 200, listed.json()
    (core,) = listed.json()
    assert core["code"] == "avrr-core" and core["status"] == "active" and core["number"] == 1
    share = next(i for i in core["indicators"] if i["code"] == "RSS-2")
    assert share["computation"]["numerator"] == [["band", "=", "sustainable"]]
    assert api.get(f"/indicator-frameworks/{core['uuid']}").json()["name"] == core["name"]

    year = dt.date.today().year
    results = api.get(f"/indicator-frameworks/{core['uuid']}/results?first={year}&last={year}&by=sex")
    assert results.status_code == 200, results.json()
    body = results.json()
    assert body["threshold"] == 0 and body["by"] == "sex"
    returns = next(i for i in body["indicators"] if i["code"] == "RET-1")
    assert returns["periods"] == [{"period": str(year), "value": 1.0, "rows": 1, "target": None, "met": None}]
    assert [g["cells"][0]["rows"] for g in returns["groups"]] == [1]


def test_aggregate_readers_get_small_values_hidden(api_client: Any, world: Any) -> None:
    case = returned_case(world)
    case.programme.funders.add(world.donor)  # the donor's viewer counts the programme's returns
    core = Framework.objects.get()
    year = dt.date.today().year
    body = api_client.as_(world.victor).get(
        f"/indicator-frameworks/{core.uuid}/results?first={year}&last={year}"
    )
    assert body.status_code == 200
    returns = next(i for i in body.json()["indicators"] if i["code"] == "RET-1")
    assert body.json()["threshold"] > 1 and returns["periods"][0]["value"] is None
    assert returns["periods"][0]["rows"] is None


def test_bad_input_and_no_access(api_client: Any, world: Any) -> None:
    core = Framework.objects.get()
    api = api_client.as_(world.carol)
    refused = api.get(f"/indicator-frameworks/{core.uuid}/results?first=2026&last=2020")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "last"
    assert (
        api.get(f"/indicator-frameworks/{core.uuid}/results?first=2026&last=2026&by=colour").status_code
        == 422
    )
    assert api.get("/indicator-frameworks/00000000-0000-0000-0000-000000000000").status_code == 404
    assert api_client.as_(world.alice).get("/indicator-frameworks").status_code == 403
