"""/api/v1: instruments with versions and questions; a case's assessments listed, read,
recorded as drafts, completed and their flags confirmed; the shared error shape; 404 for
cases not visible; 409 for an outdated version."""

from __future__ import annotations

import pytest

from remis.assessments.models import Assessment
from remis.assessments.tests.factories import COMPLETE, answers

pytestmark = pytest.mark.django_db


def test_instruments_list_their_versions_and_questions(world, bob, api_client):
    api = api_client.as_(bob)
    listed = api.get("/assessments/instruments").json()
    assert [(i["code"], i["version"], i["status"]) for i in listed] == [("needs-vulnerability", 1, "active")]
    detail = api.get("/assessments/instruments/needs-vulnerability/1").json()
    housing = next(q for q in detail["questions"] if q["code"] == "housing")
    assert housing["type"] == "select_one" and housing["labels"]["fr"] == "Logement"
    assert {"question": "age", "any_of": [], "at_least": "60.00", "flag": "elderly"} in detail["rules"]
    assert api.get("/assessments/instruments/needs-vulnerability/9").status_code == 404


def test_a_draft_is_recorded_completed_and_its_flags_confirmed(world, bob, case, api_client):
    api = api_client.as_(bob)
    created = api.post(f"/cases/{case.uuid}/assessments", {"answers": {"housing": "rented"}})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["instrument_version"] == 1 and body["version"] == 1
    saved = api.put(f"/assessments/{body['uuid']}", {"answers": COMPLETE, "version": 1})
    assert saved.status_code == 200 and saved.json()["version"] == 2
    completed = api.post(f"/assessments/{body['uuid']}/complete", {"version": 2}).json()
    assert completed["status"] == "completed"
    assert [(f["vulnerability"], f["decision"]) for f in completed["flags"]] == [
        ("medical_condition", "pending")
    ]
    economic = next(d for d in completed["dimensions"] if d["dimension"] == "economic")
    assert "household_income" in economic["needs"]
    decided = api.post(
        f"/assessments/{body['uuid']}/flags",
        {"version": completed["version"], "confirmed": ["medical_condition"]},
    ).json()
    assert decided["flags"][0]["decision"] == "confirmed" and decided["flags"][0]["decided_by"] == "bob"
    case.refresh_from_db()
    assert list(case.vulnerabilities.values_list("code", flat=True)) == ["medical_condition"]
    listed = api.get(f"/cases/{case.uuid}/assessments").json()
    assert [a["uuid"] for a in listed] == [body["uuid"]]


def test_invalid_answers_name_their_question_in_the_error_body(world, bob, case, api_client):
    response = api_client.as_(bob).post(
        f"/cases/{case.uuid}/assessments", {"answers": answers(age=-1), "complete": True}
    )
    assert response.status_code == 422
    body = response.json()
    assert (
        body["detail"] and {"field": "answers.age", "message": body["errors"][0]["message"]} in body["errors"]
    )
    assert "Age" in body["errors"][0]["message"]
    assert not Assessment.objects.exists()


def test_an_outsider_gets_404_and_a_read_only_officer_403(world, bob, carol, dave, case, api_client):
    path = f"/cases/{case.uuid}/assessments"
    assert api_client.as_(dave).get(path).status_code == 404
    assert api_client.as_(dave).post(path, {"answers": COMPLETE}).status_code == 404
    assert api_client.as_(carol).post(path, {"answers": COMPLETE}).status_code == 403
    created = api_client.as_(bob).post(path, {"answers": COMPLETE}).json()
    assert api_client.as_(dave).get(f"/assessments/{created['uuid']}").status_code == 404
    assert api_client.as_(carol).get(f"/assessments/{created['uuid']}").status_code == 200
    assert (
        api_client.as_(dave).put(f"/assessments/{created['uuid']}", {"answers": {}, "version": 1}).status_code
        == 404
    )
    assert Assessment.objects.get().answers["housing"] == "with_family"


def test_an_outdated_version_is_a_409(world, bob, case, api_client):
    api = api_client.as_(bob)
    created = api.post(f"/cases/{case.uuid}/assessments", {"answers": {"housing": "rented"}}).json()
    assert (
        api.put(
            f"/assessments/{created['uuid']}", {"answers": {"housing": "owned"}, "version": 1}
        ).status_code
        == 200
    )
    stale = api.put(f"/assessments/{created['uuid']}", {"answers": {"housing": "shelter"}, "version": 1})
    assert stale.status_code == 409 and stale.json()["errors"][0]["field"] == "version"
    assert Assessment.objects.get().answers == {"housing": "owned"}


def test_a_malformed_id_is_refused_naming_it_as_for_cases(world, bob, api_client):
    """ "/cases/not-a-uuid/assessments" answered 404 where "/cases/not-a-uuid" answers 422
    naming case_uuid; the schema typed these ids as plain strings."""
    api = api_client.as_(bob)
    for path, name in (
        ("/cases/not-a-uuid/assessments", "case_uuid"),
        ("/assessments/not-a-uuid", "assessment_uuid"),
    ):
        answer = api.get(path)
        assert answer.status_code == 422, (path, answer.status_code)
        assert [e["field"] for e in answer.json()["errors"]] == [name]
