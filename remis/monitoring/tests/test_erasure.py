"""Erasing a returnee (or the retention job anonymising their case) removes what follow-up
monitoring wrote about them in words: contact attempts' and visits' notes, free-text
answers. Coded answers and the scores stay, for the statistics."""

from __future__ import annotations

import pytest
from django.utils import timezone

from remis.cases import actions as cases
from remis.cases.tests.factories import erase, returned_case
from remis.monitoring import actions
from remis.monitoring.models import ContactAttempt, FollowUp, Response, Visit
from remis.monitoring.responses import current_instrument, record_response
from remis.monitoring.tests.test_instrument_scoring import answers

pytestmark = pytest.mark.django_db


def test_erasure_removes_notes_and_free_text_answers_and_keeps_the_scores(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = returned_case(world)
    today = timezone.localdate()
    cases.record_consent(world.alice, case, purpose="follow_up_contact", given=True, given_on=today)
    follow_up = FollowUp.objects.get(case=case, round=1)
    actions.record_contact_attempt(
        world.bob,
        follow_up,
        attempted_on=today,
        channel="phone",
        outcome="no_answer",
        note="Her brother Ousmane answered",
    )
    actions.record_visit(
        world.bob, follow_up, visited_on=today, mode="in_person", note="Shop by the Labé market", early=True
    )
    instrument = current_instrument("reintegration-sustainability")
    assert instrument is not None
    given = answers(comments="Wants to join her sister in Lyon")
    response = record_response(
        world.bob,
        instrument,
        answers=given,
        collected_on=today,
        follow_up=follow_up,
        early=True,
    )
    composite = response.composite

    erase(world, case, case.principal, "data_subject_request")

    assert ContactAttempt.objects.get(case=case).note == ""
    assert Visit.objects.get(case=case).note == ""
    kept = Response.objects.get(pk=response.pk)
    assert "comments" not in kept.answers and "credit_source" not in kept.answers
    assert kept.answers["income_covers_needs"] == "always"  # coded: identifies no one
    assert kept.composite == composite
