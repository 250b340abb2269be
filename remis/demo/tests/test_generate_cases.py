from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from remis.accounts.models import User
from remis.cases.lifecycle import Stage
from remis.cases.models import Case, CaseAccess, CaseMember, Submission
from remis.cases.queries import cases_by_stage, visible_cases
from remis.lib.text import fold

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated(db):
    # Several batches, so they are built by a worker process while this one writes.
    call_command("generate_cases", cases=2000, seed=7, batch_size=500, stdout=io.StringIO())


def test_generates_cases_at_every_stage_with_households(generated):
    stages = set(Case.objects.values_list("stage", flat=True))
    assert stages == set(Stage.values)
    assert Case.objects.count() == 2000
    assert CaseMember.objects.count() > 2000  # some cases are families
    assert set(Case.objects.filter(stage="closed").values_list("closure_reason", flat=True)) >= {
        "completed",
        "lost_contact",
        "withdrew",
    }


def test_generated_data_respects_scoping(generated):
    caseworker = User.objects.get(username="caseworker.gn")
    visible = visible_cases(caseworker)
    assert visible.exists()
    assert set(visible.values_list("origin_country", flat=True)) == {"GN"}
    assert not visible_cases(User.objects.get(username="donor")).exists()
    # a partner sees a case only through an accepted or pending submission, or one it opened
    for case in visible[:50]:
        assert CaseAccess.objects.filter(case=case, organisation__memberships__user=caseworker).exists()
    pending = Submission.objects.filter(status="pending").first()
    assert pending is not None


def test_search_text_and_references_are_consistent(generated):
    case = Case.objects.select_related("principal").first()
    assert case is not None
    assert fold(case.principal.given_name) in case.search_text
    assert case.reference.lower() in case.search_text
    assert Case.objects.values("reference").distinct().count() == 2000


def test_registration_after_generation_takes_the_next_reference(generated):
    from remis.accounts.models import Organisation
    from remis.cases.actions import register_case
    from remis.cases.tests.factories import make_person
    from remis.programmes.models import MigrantCategory, Programme

    counsellor = User.objects.get(username="counsellor.be")
    case = register_case(
        counsellor,
        Organisation.objects.get(name="IOM Belgium"),
        programme=Programme.objects.get(code="REAB-BE"),
        category=MigrantCategory.objects.get(code="irregular_migrant"),
        host_country="BE",
        origin_country="GE",
        person=make_person(nationality="GE"),
    )
    assert Case.objects.filter(reference=case.reference).count() == 1
    assert case.pk > max(Case.objects.exclude(pk=case.pk).values_list("pk", flat=True))


def test_stage_counts_come_from_one_aggregate_query(generated, django_assert_max_num_queries):
    caseworker = User.objects.get(username="caseworker.gn")
    with django_assert_max_num_queries(4):
        counts = cases_by_stage(caseworker)
    assert sum(counts.values()) == visible_cases(caseworker).count()


def test_generated_submissions_name_the_settings_version_that_set_their_due_date(generated):
    from django.db.models import F

    submissions = Submission.objects.select_related("settings_version")
    assert submissions.exists()
    assert not submissions.filter(settings_version__isnull=True).exists()
    for submission in submissions[:200]:
        version = submission.settings_version
        assert version is not None and version.programme_id == submission.case.programme_id
        assert (submission.due_at - submission.submitted_at).days == version.submission_response_days
    assert not submissions.exclude(settings_version__programme=F("case__programme")).exists()


def test_generated_cases_beyond_the_plan_carry_a_plan_the_journey_would_have_needed(generated):
    """Every case that reached Assistance has an approved plan in force (the lifecycle's
    guard asks for one), with its payments within the items' amounts; a case at the plan
    stage has a plan in one of its open states or approved."""
    from django.db.models import Sum

    from remis.assistance.models import AssistanceItem, Instalment, Plan, PlanVersion
    from remis.assistance.queries import budget_of

    beyond = Case.objects.filter(stage__in=["assistance", "monitoring"])
    assert beyond.exists()
    assert not beyond.exclude(plan__in_force__status="approved").exists()
    at_plan = set(PlanVersion.objects.filter(plan__case__stage="plan").values_list("status", flat=True))
    assert at_plan <= {"draft", "submitted", "returned", "approved"} and len(at_plan) >= 3
    assert Instalment.objects.exists()
    for item in AssistanceItem.objects.filter(status__in=["in_progress", "delivered"])[:200]:
        paid = Instalment.objects.filter(key=item.key).aggregate(s=Sum("amount"))["s"]
        assert paid is not None and paid <= item.amount
    case = beyond.filter(stage="monitoring").first()
    assert case is not None
    budget = budget_of(Plan.objects.get(case=case), dt.date.today())
    # Delivered in full, in the reporting currency: what was approved was paid.
    assert budget.approved.reporting == budget.disbursed.reporting
    assert budget.disbursed.reporting is not None and budget.disbursed.reporting > 0
