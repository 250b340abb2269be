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
    # What each value is: a score's 0.766 read as 0.77 points by a client that was not told.
    scales = {i["code"]: i["scale"] for i in body["indicators"]}
    assert (scales["RET-1"], scales["RSS-2"], scales["RSS-1"]) == ("count", "share", "points")


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


def test_a_framework_is_written_through_the_api(api_client: Any, world: Any) -> None:
    from remis.audit.models import AuditEntry

    api = api_client.as_(world.carol)  # an M&E officer manages frameworks
    made = api.post("/indicator-frameworks", {"code": "donor-x", "name": "Donor X results"})
    assert made.status_code == 201, made.json()
    framework = made.json()
    assert framework["status"] == "draft" and framework["number"] == 1
    base = f"/indicator-frameworks/{framework['uuid']}"
    indicator = {
        "code": "DX-1",
        "name": "Returnees reintegrated sustainably",
        "dimension": "overall",
        "level": "individual",
        "computation": {
            "aggregation": "share",
            "subject": "responses",
            "numerator": [["band", "=", "sustainable"]],
        },
        "disaggregations": ["sex"],
        "targets": {"2026": "60%"},
    }
    added = api.post(f"{base}/indicators", indicator)
    assert added.status_code == 201, added.json()
    (stored,) = added.json()["indicators"]
    assert stored["targets"] == {"2026": 0.6} and stored["disaggregations"] == ["sex"]
    wrong = api.post(
        f"{base}/indicators",
        {**indicator, "code": "DX-2", "computation": {"aggregation": "mean", "subject": "responses"}},
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "computation.field"
    changed = api.put(
        f"{base}/indicators/DX-1", {**indicator, "name": "Sustainable", "version": stored["version"]}
    )
    assert changed.status_code == 200 and changed.json()["indicators"][0]["name"] == "Sustainable"
    stale = api.put(f"{base}/indicators/DX-1", {**indicator, "name": "Late", "version": stored["version"]})
    assert stale.status_code == 409
    renamed = api.patch(base, {"name": "Donor X", "version": framework["version"]})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Donor X"
    active = api.post(f"{base}/activate", {"version": renamed.json()["version"]})
    assert active.status_code == 200 and active.json()["status"] == "active"
    frozen = api.post(f"{base}/indicators", {**indicator, "code": "DX-3"})  # only a draft changes
    assert frozen.status_code == 422 and frozen.json()["errors"][0]["field"] == "status"
    draft = api.post(f"{base}/versions")
    assert draft.status_code == 201 and draft.json()["number"] == 2 and len(draft.json()["indicators"]) == 1
    removed = api.delete(f"/indicator-frameworks/{draft.json()['uuid']}/indicators/DX-1")
    assert removed.status_code == 200 and removed.json()["indicators"] == []
    actions = set(
        AuditEntry.objects.filter(action__startswith="indicators.").values_list("action", flat=True)
    )
    assert {
        "indicators.framework_create",
        "indicators.indicator_add",
        "indicators.framework_activate",
    } <= actions
    # A counsellor may not write one.
    refused = api_client.as_(world.alice).post("/indicator-frameworks", {"code": "nope", "name": "Nope"})
    assert refused.status_code == 403


def test_translations_are_read_and_written_through_the_api(api_client: Any, world: Any) -> None:
    api = api_client.as_(world.carol)
    (shipped,) = api.get("/indicator-frameworks").json()
    assert shipped["names"]["fr"] == "Indicateurs de base de l’AVRR"
    assert shipped["indicators"][0]["names"]["ar"] == "الأشخاص الذين تلقّوا المساعدة على العودة"
    created = api.post(
        "/indicator-frameworks",
        {"code": "country-fw", "name": "Country framework", "names": {"fr": "Cadre national"}},
    )
    assert created.status_code == 201 and created.json()["names"] == {"fr": "Cadre national"}
    refused = api.post(
        "/indicator-frameworks", {"code": "other-fw", "name": "Other", "names": {"de": "Rahmen"}}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "names"
