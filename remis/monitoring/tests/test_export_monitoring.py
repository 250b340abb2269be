"""Monitoring data exported in long format: one row a response × question with the
instrument's version, the answer's codes and labels, the indicator value and the score;
only responses about cases the requester may export, never comparison samples; in the
requester's language; filters checked."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.utils import timezone

from remis.cases import actions as cases
from remis.cases.tests.factories import make_user, returned_case
from remis.interop.models import RecordExport
from remis.monitoring.configuration import SATISFACTION
from remis.monitoring.models import FollowUp
from remis.monitoring.responses import current_instrument, record_response
from remis.monitoring.tests.test_instrument_scoring import answers


@pytest.fixture
def responses(world: Any, settings: Any, django_capture_on_commit_callbacks: Any) -> Any:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        case = returned_case(world)
    today = timezone.localdate()
    cases.record_consent(world.alice, case, purpose="follow_up_contact", given=True, given_on=today)
    rss = current_instrument("reintegration-sustainability")
    assert rss is not None
    follow_up = FollowUp.objects.get(case=case, round=1)
    record_response(
        world.bob, rss, answers=answers(distress="often"), collected_on=today, follow_up=follow_up, early=True
    )
    record_response(world.bob, rss, answers=answers(), collected_on=today, sample_id="LOCAL-001")
    return case


def _export(client: Any, capture: Any, **fields: str) -> list[dict[str, str]]:
    with capture(execute=True):
        response = client.post("/exports/new/monitoring/", {"format": "csv", **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    kept = RecordExport.objects.order_by("-id")[0]
    file = client.get(f"/exports/{kept.uuid}/file")
    return list(csv.DictReader(io.StringIO(b"".join(file.streaming_content).decode("utf-8-sig"))))


def test_one_row_a_question_with_the_instrument_version_and_scores(
    world: Any, responses: Any, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    manager = signed_in(make_user("paula", world.be_office, "programme_manager", ["BE"]))
    rows = _export(manager, django_capture_on_commit_callbacks, headers="codes")
    # The sample's response has no case: it is not exported.
    assert {r["case_reference"] for r in rows} == {responses.reference}
    assert len(rows) == len(answers()) and {r["instrument_version"] for r in rows} == {"1"}
    assert {r["round"] for r in rows} == {"1"} and {r["instrument"] for r in rows} == {
        "reintegration-sustainability"
    }
    by_question = {r["question"]: r for r in rows}
    distress = by_question["distress"]
    assert distress["answer"] == "often" and distress["answer_label"]
    assert distress["indicator"] and float(distress["indicator_value"]) < 1
    several = by_question["access_to_resources"]
    assert several["answer"] == "credit savings_group tools premises" and ";" in several["answer_label"]
    assert float(distress["composite"]) < 1 and distress["band"]
    assert float(distress["psychosocial"]) < 1 and float(distress["economic"]) == 1.0  # dimension scores
    assert {r["visit_date"] for r in rows} == {""}  # no visit recorded yet
    # The visit recorded after the answers (they are kept apart): the round's, in every row.
    from remis.monitoring import actions

    today = timezone.localdate()
    actions.record_visit(
        world.bob, FollowUp.objects.get(case=responses, round=1), visited_on=today, mode="phone", early=True
    )
    rows = _export(manager, django_capture_on_commit_callbacks, headers="codes")
    assert {(r["visit_date"], r["visit_mode"]) for r in rows} == {(today.isoformat(), "phone")}
    # Filtered to another instrument, nothing is read.
    other = _export(manager, django_capture_on_commit_callbacks, headers="codes", instrument=SATISFACTION)
    assert other == []


def test_labels_in_the_requesters_language_and_others_scope(
    world: Any, responses: Any, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    manager = signed_in(make_user("paula", world.be_office, "programme_manager", ["BE"]))
    manager.post("/accounts/language/", {"language": "fr", "next": "/"})
    rows = _export(manager, django_capture_on_commit_callbacks, headers="labels")
    assert "Version de l’instrument" in rows[0] and "Libellé de la question" in rows[0]
    # The coded cells in words too (codes stood under the French headers).
    assert {r["Questionnaire"] for r in rows} == {"Suivi de la durabilité de la réintégration"}
    assert {r["Source"] for r in rows} == {"Saisi dans REMIS"}
    assert {r["Tranche de score"] for r in rows} <= {"Suivi nécessaire", "En progression", "Durable"}
    # A Dutch programme manager exports no Belgian case's answers.
    dutch = signed_in(make_user("nina", world.nl_office, "programme_manager", ["NL"]))
    assert _export(dutch, django_capture_on_commit_callbacks, headers="codes") == []


def test_bad_filters_are_named(world: Any, responses: Any, signed_in: Any) -> None:
    manager = signed_in(make_user("paula", world.be_office, "programme_manager", ["BE"]))
    response = manager.post(
        "/exports/new/monitoring/",
        {
            "format": "csv",
            "headers": "codes",
            "collected_from": "2026-05-01",
            "collected_to": "2026-04-01",
            "instrument": "no-such-thing",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and not RecordExport.objects.exists()
    assert "The last day comes before the first." in page and "no-such-thing" in page


def test_the_form_offers_only_the_countries_the_reader_covers(world: Any, signed_in: Any) -> None:
    from remis.programmes.models import Programme

    Programme.objects.filter(pk=world.programme.pk).update(origin_countries=["GN", "SN", "IQ", "XK", "ML"])
    officer = make_user("mona", world.gn_partner, "me_officer", ["GN"])
    page = signed_in(officer).get("/exports/new/monitoring/").content.decode()
    options = page.split('name="origin_country"', 1)[1].split("</select>", 1)[0]
    assert 'value="GN"' in options and 'value="ML"' not in options and 'value="IQ"' not in options
