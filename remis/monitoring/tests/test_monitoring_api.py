"""The monitoring API: a case's rounds with attempts and visits, recording both (409 on a
stale version, 422 naming the field, 404 outside the scope), the follow-ups list."""

from __future__ import annotations

import pytest
from django.utils import timezone

from remis.cases import actions as cases
from remis.cases.tests.factories import returned_case
from remis.monitoring.models import ContactAttempt
from remis.monitoring.tests.test_instrument_scoring import answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = returned_case(world)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    return case


def test_rounds_attempts_and_visit_through_the_api(api_client, world, case):
    api = api_client.as_(world.bob)
    today = timezone.localdate().isoformat()
    rounds = api.get(f"/monitoring/cases/{case.uuid}/follow-ups").json()
    assert [(r["round"], r["months"], r["state"]) for r in rounds] == [
        (1, 3, "upcoming"),
        (2, 6, "upcoming"),
        (3, 12, "upcoming"),
    ]
    made = api.post(
        f"/monitoring/cases/{case.uuid}/follow-ups/1/attempts",
        {"attempted_on": today, "channel": "phone", "outcome": "no_answer", "version": 1},
    )
    assert made.status_code == 201 and made.json()["outcome"] == "no_answer"
    stale = api.post(
        f"/monitoring/cases/{case.uuid}/follow-ups/1/visit",
        {"visited_on": today, "mode": "phone", "version": 1, "early": True},
    )
    assert stale.status_code == 409
    # Round 1's window opens in months (the case arrived today): said, nothing recorded.
    unconfirmed = api.post(
        f"/monitoring/cases/{case.uuid}/follow-ups/1/visit",
        {"visited_on": today, "mode": "phone", "version": 2},
    )
    assert unconfirmed.status_code == 422 and unconfirmed.json()["errors"][0]["field"] == "early"
    assert "Round 1's window opens on" in unconfirmed.json()["detail"]
    visit = api.post(
        f"/monitoring/cases/{case.uuid}/follow-ups/1/visit",
        {"visited_on": today, "mode": "phone", "version": 2, "early": True},
    )
    assert visit.status_code == 201
    first = api.get(f"/monitoring/cases/{case.uuid}/follow-ups").json()[0]
    assert first["status"] == "done" and len(first["attempts"]) == 1 and len(first["visits"]) == 1
    page = api.get("/monitoring/follow-ups", state="done").json()
    listed = page["items"]
    assert [(r["case_reference"], r["round"]) for r in listed] == [(case.reference, 1)]
    assert page["count"] == 1 and page["count_capped"] is False  # as every paged list says
    # The lists the pages and the dashboard link to (`?state=due`) read the same (422 before).
    for listed_as, rounds_of_case in (("open", [2, 3]), ("due", []), ("lost_open", [])):
        found = api.get("/monitoring/follow-ups", state=listed_as)
        assert found.status_code == 200, found.content
        assert [r["round"] for r in found.json()["items"]] == rounds_of_case
    # By programme and by the start of a case reference, whatever the letters' case.
    # A programme the reader does not see is refused, as the page refuses it.
    unknown = api.get("/monitoring/follow-ups", programme="OTHER")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "programme"
    nowhere = api.get("/monitoring/follow-ups", country="XX")  # zero rounds read as nothing due
    assert nowhere.status_code == 422 and nowhere.json()["errors"][0]["field"] == "country"
    assert api.get("/monitoring/follow-ups", country="gn", state="").json()["count"] == 3
    for query, rounds_listed in (
        ({"programme": world.programme.code.lower()}, [1, 2, 3]),
        ({"reference": case.reference[:6].lower()}, [1, 2, 3]),
        ({"reference": "XX-"}, []),
    ):
        found = api.get("/monitoring/follow-ups", state="", **query)
        assert [r["round"] for r in found.json()["items"]] == rounds_listed, query


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"attempted_on": "2999-01-01", "channel": "phone", "outcome": "reached"}, "attempted_on"),
        ({"attempted_on": "2026-13-01", "channel": "phone", "outcome": "reached"}, "attempted_on"),
        ({"attempted_on": "2026-01-01", "channel": "pigeon", "outcome": "reached"}, "channel"),
        ({"channel": "phone", "outcome": "reached", "note": "x" * 501}, "note"),
    ],
)
def test_bad_attempts_are_422_naming_the_field(api_client, world, case, body, field):
    body = {"attempted_on": timezone.localdate().isoformat(), **body}
    response = api_client.as_(world.bob).post(f"/monitoring/cases/{case.uuid}/follow-ups/1/attempts", body)
    assert response.status_code == 422 and field in response.text
    assert not ContactAttempt.objects.exists()


def test_outside_the_scope_is_404(api_client, world, case):
    api = api_client.as_(world.dave)
    assert api.get(f"/monitoring/cases/{case.uuid}/follow-ups").status_code == 404
    body = {"attempted_on": timezone.localdate().isoformat(), "channel": "phone", "outcome": "reached"}
    assert api.post(f"/monitoring/cases/{case.uuid}/follow-ups/1/attempts", body).status_code == 404
    assert api.get("/monitoring/follow-ups").json()["items"] == []
    bob = api_client.as_(world.bob)  # the same client, now as bob
    assert bob.post(f"/monitoring/cases/{case.uuid}/follow-ups/99999999999/attempts", body).status_code == 404


def test_the_schedule_is_read_and_set_through_the_api(api_client, world):
    code = world.programme.code
    admin = api_client.as_(world.admin)
    read = admin.get(f"/monitoring/schedules/{code}").json()
    assert [r["months"] for r in read["in_force"]["rounds"]] == [3, 6, 12]
    first = {"months": 4, "window_days": 20, "instrument": "reintegration-sustainability"}
    body = {"effective_from": "2026-01-01", "rounds": [first], "lost_after_attempts": 4}
    made = admin.post(f"/monitoring/schedules/{code}", body)
    assert made.status_code == 201 and made.json()["rounds"][0]["round"] == 1
    bad = admin.post(f"/monitoring/schedules/{code}", {**body, "rounds": [{**first, "months": 0}]})
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == ["rounds.0.months"]
    assert api_client.as_(world.bob).post(f"/monitoring/schedules/{code}", body).status_code == 403


def test_a_rounds_answers_through_the_api_are_scored_and_listed(api_client, world, case):
    from remis.monitoring.models import Response
    from remis.monitoring.tests.test_instrument_scoring import answers

    api = api_client.as_(world.bob)
    today = timezone.localdate().isoformat()
    unconfirmed = api.post(
        f"/monitoring/cases/{case.uuid}/follow-ups/1/responses",
        {"answers": answers(income_covers_needs="never"), "collected_on": today},
    )
    assert unconfirmed.status_code == 422 and unconfirmed.json()["errors"][0]["field"] == "early"
    assert not Response.objects.exists()
    made = api.post(
        f"/monitoring/cases/{case.uuid}/follow-ups/1/responses",
        {"answers": answers(income_covers_needs="never"), "collected_on": today, "early": True},
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["round"] == 1 and body["composite"] == 0.9048 and body["band"] == "sustainable"
    assert body["dimensions"]["economic"] == 0.7143 and body["source"] == "api"
    listed = api.get(f"/monitoring/cases/{case.uuid}/responses").json()
    assert [r["uuid"] for r in listed] == [body["uuid"]]
    assert Response.objects.filter(follow_up__status="done").count() == 1
    again = api.post(
        f"/monitoring/cases/{case.uuid}/follow-ups/1/responses",
        {"answers": answers(), "collected_on": today, "early": True},
    )
    assert again.status_code == 422 and "answered once" in again.json()["detail"]  # a round is answered once
    assert Response.objects.count() == 1


def test_satisfaction_with_an_item_of_the_plan_through_the_api(
    api_client, world, django_capture_on_commit_callbacks
):
    from remis.assistance.tests.factories import approved_plan, case_at_plan, first_item, make_approvers
    from remis.monitoring.models import Response

    with django_capture_on_commit_callbacks(execute=True):
        case = case_at_plan(world)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    item = first_item(approved_plan(world, case, make_approvers(world)[0]))
    api = api_client.as_(world.bob)
    body = {"item_key": str(item.key), "answers": SATISFIED, "collected_on": timezone.localdate().isoformat()}
    made = api.post(f"/monitoring/cases/{case.uuid}/satisfaction", body)
    assert made.status_code == 201, made.json()
    assert made.json()["item_key"] == str(item.key) and made.json()["band"] == "satisfied"
    other = returned_case(world)  # an item key of another case's plan, or of none, is refused
    stranger = api.post(
        f"/monitoring/cases/{case.uuid}/satisfaction",
        {**body, "item_key": "00000000-0000-4000-8000-000000000000"},
    )
    assert stranger.status_code == 422 and stranger.json()["errors"][0]["field"] == "item_key"
    cases.record_consent(
        world.alice, other, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    misplaced = api.post(f"/monitoring/cases/{other.uuid}/satisfaction", body)
    assert misplaced.status_code == 422 and misplaced.json()["errors"][0]["field"] == "item_key"
    round_with_item = api.post(
        f"/monitoring/cases/{case.uuid}/follow-ups/1/responses",
        {"answers": answers(), "collected_on": timezone.localdate().isoformat(), "early": True},
    )
    assert round_with_item.status_code == 201  # the round's own instrument, no item
    assert Response.objects.filter(item_key=item.key).count() == 1


def test_bad_answers_are_422_naming_each_question(api_client, world, case):
    from remis.monitoring.models import Response
    from remis.monitoring.tests.test_instrument_scoring import answers

    api = api_client.as_(world.bob)
    refused = api.post(
        f"/monitoring/cases/{case.uuid}/follow-ups/1/responses",
        {"answers": answers(days_reduced_meals="many"), "collected_on": timezone.localdate().isoformat()},
    )
    assert refused.status_code == 422
    assert "answers.days_reduced_meals" in str(refused.json())
    assert not Response.objects.exists()


SATISFIED = {"on_time": "agree", "fits_needs": "agree", "good_quality": "agree"}


def test_a_comparison_sample_is_answered_without_a_case(api_client, world):
    api = api_client.as_(world.bob)
    body = {
        "instrument": "reintegration-sustainability",
        "sample_id": "GN-2026-017",
        "answers": answers(),
        "collected_on": timezone.localdate().isoformat(),
    }
    made = api.post("/monitoring/samples/responses", body)
    assert made.status_code == 201, made.json()
    assert made.json()["case_uuid"] is None and made.json()["band"] == "sustainable"
    satisfaction = {**body, "instrument": "assistance-satisfaction", "answers": SATISFIED}
    refused = api.post("/monitoring/samples/responses", satisfaction)  # about no one's item
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "case"
    assert api.post("/monitoring/samples/responses", {**body, "instrument": "nope"}).status_code == 422
    outsider = api_client.as_(world.alice)  # does not record monitoring
    assert outsider.post("/monitoring/samples/responses", body).status_code == 403
