"""The demo has assessments: every generated case that reached the plan has a completed one
(the lifecycle asks for it), whose confirmed flags are on the case; a played journey records
one through the actions."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Exists, OuterRef

from remis.assessments.models import Assessment, AssessmentFlag, AssessmentStatus, FlagDecision
from remis.assessments.rules import needs_completed_assessment
from remis.cases.models import Case, Transition

pytestmark = pytest.mark.django_db


def test_generated_cases_past_the_assessment_have_a_completed_one(world):
    call_command("generate_cases", cases=600, seed=3, batch_size=300, stdout=io.StringIO())
    planned = Case.objects.filter(Exists(Transition.objects.filter(case=OuterRef("pk"), to_stage="plan")))
    assert planned.exists()
    assert all(needs_completed_assessment(case) is None for case in planned)
    assert not Assessment.objects.filter(status=AssessmentStatus.COMPLETED).exclude(case__in=planned).exists()
    assert Assessment.objects.filter(status=AssessmentStatus.DRAFT, case__stage="assessment").exists()
    confirmed = AssessmentFlag.objects.filter(decision=FlagDecision.CONFIRMED).select_related("assessment")
    assert confirmed.exists()
    for flag in confirmed:
        assert flag.assessment.case.vulnerabilities.filter(pk=flag.vulnerability_id).exists()
    # Ids were given in bulk: the next assessment written gets a fresh one (PostgreSQL's
    # sequence was moved past them).
    last = Assessment.objects.order_by("-id").first()
    assert last is not None
    fresh = Assessment.objects.create(
        case=last.case, instrument=last.instrument, assessed_on=last.assessed_on, created_by=last.created_by
    )
    assert fresh.pk > last.pk


def test_the_played_journeys_record_an_assessment_through_the_actions():
    call_command("load_demo", cases=20, stdout=io.StringIO())
    # The played journey reaches the plan; the demo's played plans may take it further.
    played = Assessment.objects.filter(
        created_by__username="caseworker.gn", case__stage__in=["plan", "assistance", "monitoring"]
    )
    first = played.first()
    assert first is not None
    assert first.flags.filter(decision=FlagDecision.CONFIRMED).exists()
