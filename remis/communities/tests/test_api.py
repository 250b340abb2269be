"""/api/v1/community-projects: the same actions and reads as the pages."""

from __future__ import annotations

from typing import Any

import pytest

from remis.cases.tests.factories import returned_case

pytestmark = pytest.mark.django_db

BODY = {
    "name": "Women's market garden",
    "kind": "income_generating",
    "sector": "livelihoods",
    "programme": "BE-REAB",
    "country": "GN",
    "status": "ongoing",
    "start_date": "2026-02-01",
    "budget": "12000.50",
    "currency": "eur",
    "tags": ["gcm_21", "sdg_10_7"],
    "members": {"F_35_plus": 9},
}


def test_a_case_worker_records_changes_and_lists_a_project(api_client: Any, world: Any, bob: Any) -> None:
    api = api_client.as_(bob)
    created = api.post("/community-projects", BODY)
    assert created.status_code == 201, created.json()
    project = created.json()
    assert project["currency"] == "EUR" and project["tags"] == ["sdg_10_7", "gcm_21"]
    assert project["members"] == {"F_35_plus": 9} and project["participants"] == 0
    patched = api.patch(f"/community-projects/{project['uuid']}", {"status": "completed", "version": 1})
    assert patched.status_code == 422
    assert patched.json()["errors"][0]["field"] == "end_date"
    patched = api.patch(
        f"/community-projects/{project['uuid']}",
        {"status": "completed", "end_date": "2026-10-31", "version": 1},
    )
    assert patched.status_code == 200 and patched.json()["version"] == 2
    stale = api.patch(f"/community-projects/{project['uuid']}", {"name": "X", "version": 1})
    assert stale.status_code == 409
    listed = api.get("/community-projects?status=completed&country=GN").json()
    assert [p["name"] for p in listed["items"]] == ["Women's market garden"] and listed["count"] == 1
    # A programme's code in other letters is that programme; one the reader does not see is
    # refused, as the page refuses it (no project read as none).
    lower = api.get("/community-projects", programme=str(BODY["programme"]).lower()).json()
    assert lower["count"] == 1, lower
    unknown = api.get("/community-projects", programme="NOPE")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "programme"


def test_participants_through_the_api(api_client: Any, world: Any, bob: Any) -> None:
    api = api_client.as_(bob)
    project = api.post("/community-projects", BODY).json()
    case = returned_case(world)
    added = api.post(
        f"/community-projects/{project['uuid']}/participants", {"case_reference": case.reference}
    )
    assert added.status_code == 201 and added.json()["case_uuid"] == str(case.uuid)
    again = api.post(
        f"/community-projects/{project['uuid']}/participants", {"case_reference": case.reference}
    )
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "case_reference"  # as sent
    listed = api.get(f"/community-projects/{project['uuid']}/participants").json()
    assert listed == {"items": [added.json()], "others": 0}
    assert api.get(f"/community-projects/{project['uuid']}").json()["participants"] == 1
    removed = api.delete(f"/community-projects/{project['uuid']}/participants/{case.uuid}")
    assert removed.status_code == 204
    assert api.delete(f"/community-projects/{project['uuid']}/participants/{case.uuid}").status_code == 409


def test_bad_input_is_named(api_client: Any, world: Any, bob: Any) -> None:
    api = api_client.as_(bob)
    response = api.post("/community-projects", {**BODY, "members": {"F_35_plus": -3}, "sector": "x"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"members.F_35_plus", "sector"}
    unknown = api.get("/community-projects?country=ZZ")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "country"


def test_a_funders_viewer_gets_no_counts_of_people(api_client: Any, world: Any, bob: Any) -> None:
    """As on the pages: those counts are the summary's, small ones hidden, for readers of
    aggregates only (GET /reports/community-projects)."""
    project = api_client.as_(bob).post("/community-projects", BODY).json()
    world.programme.funders.add(world.donor)
    read = api_client.as_(world.victor).get(f"/community-projects/{project['uuid']}")
    assert read.status_code == 200
    assert read.json()["members"] is None and read.json()["participants"] is None
    listed = api_client.as_(world.victor).get("/community-projects").json()["items"]
    assert [(p["members"], p["participants"]) for p in listed] == [(None, None)]
    case = returned_case(world)
    api_client.as_(bob).post(
        f"/community-projects/{project['uuid']}/participants", {"case_reference": case.reference}
    )
    taking_part = api_client.as_(world.victor).get(f"/community-projects/{project['uuid']}/participants")
    assert taking_part.status_code == 200 and taking_part.json() == {"items": [], "others": None}
    own = api_client.as_(bob).get(f"/community-projects/{project['uuid']}/participants").json()
    assert own["others"] == 0 and len(own["items"]) == 1
    assert api_client.as_(bob).get(f"/community-projects/{project['uuid']}").json()["members"] == {
        "F_35_plus": 9
    }
