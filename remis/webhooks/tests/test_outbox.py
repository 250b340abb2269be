"""Subscribed events land in the outbox in the transaction of the change: ids and codes
only, for organisations that may see the case, nothing when the change rolls back, no
query at all when nobody subscribed, and one insert for a whole batch."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from remis.cases import actions as cases
from remis.cases.tests.factories import accepted_case, make_person, register, returned_case
from remis.lib.events import emit_many
from remis.monitoring import actions as monitoring
from remis.monitoring.events import ScoreComputed
from remis.monitoring.models import FollowUp
from remis.monitoring.responses import current_instrument, record_response
from remis.monitoring.tests.test_instrument_scoring import answers
from remis.webhooks.models import Delivery

pytestmark = pytest.mark.django_db


def test_a_registered_case_is_in_the_outbox_with_ids_and_codes_only(world, subscribe):
    subscription = subscribe(["case.registered"])
    person = make_person(given_name="Mariama", family_name="Camara")
    case = register(world, person=person)
    delivery = Delivery.objects.get(subscription=subscription)
    body = delivery.payload
    assert delivery.event == "case.registered" and body["event"] == "case.registered"
    assert body["event_id"] == str(delivery.event_id) and body["occurred_at"]
    assert body["case"] == {
        "uuid": str(case.uuid),
        "reference": case.reference,
        "programme": "BE-REAB",
        "stage": "registered",
        "host_country": "BE",
        "origin_country": "GN",
    }
    assert set(body["data"]) == {"case_uuid", "programme_id", "stage", "return_type", "arrival_date"}
    text = json.dumps(body)
    assert "Mariama" not in text and "Camara" not in text
    assert person.date_of_birth is None or person.date_of_birth.isoformat() not in text


def test_cases_written_by_an_import_reach_the_outbox(world, subscribe):
    """A receiver mirroring cases missed every imported one: registered by no journey step."""
    from remis.cases.tests.factories import make_user
    from remis.cases.tests.import_files import case_row, cases_csv, run_import

    subscription = subscribe(["case.imported"])
    paula = make_user("paula", world.be_office, "programme_manager", ["BE"])
    rows = [case_row(external_id=f"OLD-{n}", given_name=f"Awa{'a' * n}") for n in range(3)]
    result = run_import(paula, world.be_office, "cases", cases_csv(rows).getvalue())
    assert result.created == 3, result.report_rows
    deliveries = list(Delivery.objects.filter(subscription=subscription))
    assert len(deliveries) == 3 and {d.event for d in deliveries} == {"case.imported"}
    body = deliveries[0].payload
    assert body["case"]["stage"] == "closed" and set(body["data"]) == {"stage", "arrival_date"}
    assert "Awa" not in json.dumps([d.payload for d in deliveries])


def test_a_rolled_back_change_leaves_no_outbox_row(world, subscribe):
    subscribe(["case.registered"])
    with pytest.raises(RuntimeError), transaction.atomic():
        register(world)
        assert Delivery.objects.count() == 1  # written inside the change's transaction
        raise RuntimeError("the request fails after the registration")
    assert Delivery.objects.count() == 0


def test_an_organisation_hears_only_of_cases_it_may_see(world, subscribe, gina, wendy):
    belgian = subscribe(["case.stage_changed", "case.submission_answered"])
    guinean = subscribe(["case.stage_changed", "case.submission_answered"], actor=gina)
    case = register(world)
    cases.record_consent(
        world.alice, case, purpose="data_processing", given=True, given_on=timezone.localdate()
    )
    cases.record_counselling(world.alice, case, held_on=timezone.localdate())
    cases.transition_case(world.alice, case, "counselling")  # not shared with Guinea yet
    assert Delivery.objects.filter(subscription=belgian, event="case.stage_changed").count() == 1
    assert not Delivery.objects.filter(subscription=guinean).exists()

    shared = accepted_case(world)  # accepted by the Guinean partner: both see it now
    assert Delivery.objects.filter(subscription=guinean, event="case.submission_answered").count() == 1
    cases.transition_case(world.alice, shared, "counselling")
    for subscription in (belgian, guinean):
        rows = Delivery.objects.filter(subscription=subscription, payload__case__uuid=str(shared.uuid))
        assert rows.filter(event="case.stage_changed").count() == 1
    # One event, one id, whoever receives it.
    ids = set(
        Delivery.objects.filter(event="case.stage_changed", payload__case__uuid=str(shared.uuid)).values_list(
            "event_id", flat=True
        )
    )
    assert len(ids) == 1


def test_an_event_nobody_subscribed_to_costs_no_query(world, subscribe):
    subscribe(["case.closed"])
    register(world)  # warms the cache of subscribed events
    event = ScoreComputed(
        response_uuid=world.programme.uuid if hasattr(world.programme, "uuid") else uuid.uuid4(),
        case_id=1,
        instrument="reintegration-sustainability",
        instrument_version=1,
        round=1,
        collected_on=timezone.localdate(),
        band="sustainable",
    )
    with CaptureQueriesContext(connection) as queries:
        emit_many([event] * 500)
    assert len(queries) == 0


@pytest.fixture
def consenting_case(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = returned_case(world)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    return case


def test_a_visit_and_a_scored_response_reach_the_outbox(world, subscribe, consenting_case):
    subscription = subscribe(["monitoring.visit_recorded", "monitoring.score_computed"])
    today = timezone.localdate()
    first = FollowUp.objects.get(case=consenting_case, round=1)
    monitoring.record_visit(
        world.bob, first, visited_on=today, mode="phone", expected_version=first.version, early=True
    )
    second = FollowUp.objects.get(case=consenting_case, round=2)
    instrument = current_instrument("reintegration-sustainability")
    assert instrument is not None
    response = record_response(
        world.bob,
        instrument,
        answers=answers(),
        collected_on=today,
        follow_up=second,
        early=True,
    )
    visit = Delivery.objects.get(subscription=subscription, event="monitoring.visit_recorded")
    assert visit.payload["data"] == {
        "follow_up_id": first.pk,
        "round": 1,
        "visited_on": today.isoformat(),
        "mode": "phone",
    }
    score = Delivery.objects.get(subscription=subscription, event="monitoring.score_computed")
    assert score.payload["data"]["response_uuid"] == str(response.uuid)
    assert score.payload["data"]["band"] == "sustainable" and score.payload["data"]["round"] == 2


def test_a_batch_of_scores_is_written_in_one_insert(world, subscribe, consenting_case):
    subscribe(["monitoring.score_computed"])
    today = timezone.localdate()

    def batch(size: int) -> list[ScoreComputed]:
        return [
            ScoreComputed(
                response_uuid=uuid.uuid4(),
                case_id=consenting_case.pk,
                instrument="reintegration-sustainability",
                instrument_version=1,
                round=None,
                collected_on=today,
                band="sustainable",
            )
            for _ in range(size)
        ]

    counts = []
    for size in (1, 200):
        with CaptureQueriesContext(connection) as queries:
            emit_many(batch(size))
        counts.append(len(queries))
    # Subscriptions, access rows, case codes, and the insert in the database's batch size
    # (SQLite binds at most 999 values a statement): not a query per event.
    assert counts[1] <= counts[0] + 2
    assert Delivery.objects.filter(event="monitoring.score_computed").count() == 201
