"""Two case workers sending the answers of the same round at once through the API: one
response is kept, the other is refused (a round is answered once); the round is done once
and the audit log holds one entry for the response kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from remis.accounts.tests.tokens import bearer_key
from remis.audit.models import AuditEntry
from remis.cases import actions as cases
from remis.cases.tests.factories import make_user, returned_case
from remis.monitoring.models import FollowUp, Response
from remis.monitoring.tests.test_instrument_scoring import answers

ROUNDS = 3


@pytest.fixture(autouse=True)
def _shipped(shipped_monitoring):
    """Every test here commits its rows, with the shipped schedule and instruments."""


def _answer(user, path: str, income: str):
    raw = bearer_key(user, "parallel")

    def call() -> int:
        body = {
            "answers": answers(income_covers_needs=income),
            "collected_on": str(dt.date.today()),
            "early": True,
        }
        response = Client().post(
            path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
        )
        return response.status_code

    return call


def test_a_round_answered_twice_at_once_keeps_one_response(parallel_db, world):
    fanta = make_user("fanta", world.gn_partner, "case_worker", ["GN"])
    for _round in range(ROUNDS):
        case = returned_case(world)
        cases.record_consent(
            world.alice, case, purpose="follow_up_contact", given=True, given_on=dt.date.today()
        )
        path = f"/api/v1/monitoring/cases/{case.uuid}/follow-ups/1/responses"
        statuses = parallel_db(_answer(world.bob, path, "never"), _answer(fanta, path, "always"))
        assert sorted(statuses) in ([201, 409], [201, 422]), statuses
        kept = Response.objects.filter(case=case)
        assert kept.count() == 1
        round_one = FollowUp.objects.get(case=case, round=1)
        assert round_one.status == "done" and kept.get().follow_up_id == round_one.pk
        entries = AuditEntry.objects.filter(case_uuid=case.uuid, action="monitoring.response")
        assert list(entries.values_list("object_id", flat=True)) == [str(kept.get().pk)]


def _post(user, path: str, body: dict):
    raw = bearer_key(user, "parallel")

    def call() -> int:
        return (
            Client()
            .post(path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
            .status_code
        )

    return call


@pytest.mark.races("remis.monitoring.actions.record_visit", "remis.monitoring.actions.record_contact_attempt")
def test_a_visit_and_an_attempt_from_one_read_never_both_land(parallel_db, world):
    """Both read the round at version 1: the visit (which closes the round) and a failed
    contact attempt (which counts towards lost to follow-up) cannot both be recorded on it."""
    from remis.monitoring.models import ContactAttempt, Visit

    fanta = make_user("fanta", world.gn_partner, "case_worker", ["GN"])
    today = str(dt.date.today())
    for _round in range(ROUNDS):
        case = returned_case(world)
        cases.record_consent(
            world.alice, case, purpose="follow_up_contact", given=True, given_on=dt.date.today()
        )
        base = f"/api/v1/monitoring/cases/{case.uuid}/follow-ups/1"
        version = FollowUp.objects.get(case=case, round=1).version
        statuses = parallel_db(
            _post(
                world.bob,
                f"{base}/visit",
                {"visited_on": today, "mode": "phone", "version": version, "early": True},
            ),
            _post(
                fanta,
                f"{base}/attempts",
                {"attempted_on": today, "channel": "phone", "outcome": "no_answer", "version": version},
            ),
        )
        assert sorted(statuses) in ([201, 409], [201, 422]), statuses
        round_one = FollowUp.objects.get(case=case, round=1)
        visits = Visit.objects.filter(follow_up=round_one).count()
        attempts = ContactAttempt.objects.filter(follow_up=round_one).count()
        assert (visits, attempts) == ((1, 0) if statuses[0] == 201 else (0, 1))
        assert round_one.status == ("done" if visits else "scheduled") and round_one.version == version + 1
        logged = AuditEntry.objects.filter(
            case_uuid=case.uuid, action__in=["monitoring.visit", "monitoring.contact_attempt"]
        )
        assert list(logged.values_list("action", flat=True)) == [
            "monitoring.visit" if visits else "monitoring.contact_attempt"
        ]
