from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command

from remis.accounts.models import User
from remis.cases.lifecycle import Stage
from remis.cases.models import Case, CaseAccess, CaseMember, Submission
from remis.cases.queries import cases_by_stage, visible_cases
from remis.lib.text import fold

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def generated(module_db):
    # Built once for the module's tests (they only read it, or write in their own savepoint).
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


def test_everyone_in_a_household_was_born_before_the_case_was_registered(generated):
    """Ages are drawn as of the registration: a child drawn "0 to 15 years old" as of today
    was born after a return years ago, in a household that came to the office without them."""
    later = []
    for member in CaseMember.objects.select_related("case", "person"):
        person = member.person
        registered = member.case.registered_at.date()
        if person.date_of_birth is not None:
            after = person.date_of_birth > registered
        else:
            after = person.birth_year is not None and person.birth_year > registered.year
        if after:
            later.append((member.case.reference, member.relation, person.birth_year))
    assert CaseMember.objects.filter(relation="child").exists() and not later, later[:5]


def test_no_adult_carries_the_unaccompanied_child_vulnerability(generated):
    """188 of 195 demo cases with it were adults (21 to 60), through the assessments'
    confirmed flags: the vulnerability breakdowns counted them as children."""
    adults = [
        case.reference
        for case in Case.objects.filter(vulnerabilities__code="unaccompanied_child").select_related(
            "principal"
        )
        if (case.registered_at.date().year - (case.principal.birth_year or case.registered_at.year)) > 18
    ]
    assert not adults, adults[:5]


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
    # Found by similar spellings as a registered case is: its keys are its members' names'.
    from remis.cases.actions.common import person_spellings
    from remis.lib.text import sound_text

    spellings = [
        spelling
        for m in case.members.select_related("person")
        for spelling in person_spellings(m.person.given_name, m.person.family_name, m.person.alternate_names)
    ]
    assert case.sound_text == sound_text(spellings) != ""


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
    from django.db.models import F, Sum

    from remis.assistance.models import AssistanceItem, Instalment, Plan, PlanVersion
    from remis.assistance.queries import budget_of

    beyond = Case.objects.filter(stage__in=["assistance", "monitoring"])
    assert beyond.exists()
    assert not beyond.exclude(plan__in_force__status="approved").exists()
    at_plan = set(PlanVersion.objects.filter(plan__case__stage="plan").values_list("status", flat=True))
    assert at_plan <= {"draft", "submitted", "returned", "approved"} and len(at_plan) >= 3
    assert Instalment.objects.exists()
    # Against the item of the plan in force (a superseded version's item may have had its
    # budget raised in the version that replaced it).
    in_force = AssistanceItem.objects.filter(version__plan__in_force=F("version"))
    for item in in_force.filter(status__in=["in_progress", "delivered"])[:200]:
        paid = Instalment.objects.filter(key=item.key).aggregate(s=Sum("amount"))["s"]
        assert paid is not None and paid <= item.amount
    case = beyond.filter(stage="monitoring").first()
    assert case is not None
    budget = budget_of(Plan.objects.get(case=case), dt.date.today())
    # Delivered in full, in the reporting currency: what was approved was paid.
    assert budget.approved.reporting == budget.disbursed.reporting
    assert budget.disbursed.reporting is not None and budget.disbursed.reporting > 0


def test_changed_plans_are_the_versions_the_actions_leave(generated):
    """About one approved plan in seven was changed: the second version copies the first's
    needs, goals and items (same keys), raises a budget or adds a service, and is either
    approved (the first superseded, the second in force) or still open (the first in force).
    Payments count per key against the item in force on their day; the compare view's query
    sees the change."""
    from django.db.models import F, Sum

    from remis.assistance.models import AssistanceItem, Instalment, Plan, PlanVersion
    from remis.assistance.queries import compare

    approved = Plan.objects.exclude(in_force=None)
    changed = Plan.objects.filter(latest__number=2).select_related("latest", "in_force")
    assert 0.08 < changed.count() / approved.count() < 0.25
    assert set(changed.values_list("latest__status", flat=True)) >= {"approved", "submitted", "draft"}
    assert not PlanVersion.objects.filter(number__gt=2).exists()
    for plan in changed[:150]:
        first: Any = PlanVersion.objects.get(plan=plan, number=1)
        second: Any = plan.latest
        if second.status == "approved":
            assert (plan.in_force, first.status) == (second, "superseded")
            assert first.approved_at < second.created_at <= second.submitted_at <= second.approved_at
            assert second.decisions.get(round=1).decision == "approved"
        else:
            assert (plan.in_force, first.status) == (first, "approved")
            assert not second.decisions.filter(decision="approved").exists()
        assert second.reason
        keys = set(first.items.values_list("key", flat=True))
        assert keys <= set(second.items.values_list("key", flat=True))
        assert first.needs.count() == second.needs.count()
        rows = compare(first, second)
        assert any(row.changed for row in rows)
        in_force: Any = plan.in_force
        for item in in_force.items.all():
            paid = Instalment.objects.filter(key=item.key).aggregate(s=Sum("amount"))["s"] or 0
            assert paid <= item.amount
            if item.status == "delivered":
                assert paid == item.amount
        # Each payment was made on the item of the version in force that day.
        for instalment in Instalment.objects.filter(item__version__plan=plan).select_related("item__version"):
            version: Any = instalment.item.version
            if version.status == "superseded":
                assert instalment.recorded_at <= second.approved_at
            else:
                assert instalment.recorded_at >= version.approved_at
    # An open second version's items keep the statuses copied from the first; a service
    # added there waits as "planned".
    drafts = AssistanceItem.objects.filter(
        version__status__in=["draft", "submitted", "returned"], version__number=2
    )
    assert drafts.exists()
    assert not AssistanceItem.objects.filter(version__plan__in_force=F("version"), status="planned").exists()


def test_referrals_follow_the_rules_the_referral_actions_apply(generated):
    """Referrals go from referral items of the plan in force to a provider of a matching
    sector in the case's country of origin, after consent to share with providers, with the
    snapshot `build_snapshot` makes from the case as it is, due after the rules' days, and
    answered in order as far as the item has gone."""
    from remis.assistance.models import Route
    from remis.cases.models import Consent, ConsentPurpose
    from remis.referrals.actions import build_snapshot
    from remis.referrals.configuration import overdue_days, sectors_for
    from remis.referrals.models import OPEN, Referral, Status

    referrals = Referral.objects.select_related(
        "case__principal", "item__version__plan", "item__kind", "provider"
    )
    assert {r.status for r in referrals} >= set(Status.values) - {"cancelled"}
    assert referrals.filter(status="sent", due_on__lt=dt.date.today()).exists()  # overdue
    assert referrals.filter(status="sent", due_on__gte=dt.date.today()).exists()  # not yet
    assert referrals.filter(revoked=True).exists()
    # Cancelled ones are withdrawn from the provider, as cancelling does.
    assert not referrals.filter(status="cancelled", revoked=False).exists()
    assert {r.country for r in referrals} >= {"GN", "IQ"}
    keys = [r.item_key for r in referrals if r.status in OPEN]
    assert len(keys) == len(set(keys))  # one open referral per item at most
    referral: Any
    for referral in referrals:
        item: Any = referral.item
        case = referral.case
        assert (item.key, item.kind.code, item.route) == (
            referral.item_key,
            referral.item_type,
            Route.REFERRAL,
        )
        assert item.version.plan.case_id == case.pk and item.version.status in ("approved", "superseded")
        assert item.version.approved_at <= referral.sent_at
        assert (
            referral.provider.active and referral.provider.country == case.origin_country == referral.country
        )
        wanted = sectors_for(item.kind.code)
        assert referral.sector == ("" if not wanted else referral.sector)
        assert not wanted or referral.sector in wanted
        assert not wanted or referral.provider.sectors.filter(code=referral.sector).exists()
        consent = referral.consent
        assert (consent.case_id, consent.purpose, consent.given) == (case.pk, ConsentPurpose.PROVIDERS, True)
        assert consent.recorded_at <= referral.sent_at
        shared, withheld = build_snapshot(
            case, item, referral.message, frozenset(consent.groups), referral.sent_at.date()
        )
        assert (referral.shared, referral.withheld) == (shared, withheld)
        days = overdue_days(case.programme_id, referral.sent_at.date())
        assert referral.due_on == referral.sent_at.date() + dt.timedelta(days=days)
        moments = [m for m in (referral.sent_at, referral.answered_at, referral.started_at) if m]
        assert moments == sorted(moments)
        if referral.closed_at:
            assert referral.closed_at >= moments[-1]
        if referral.status == Status.DECLINED:
            assert referral.decline_reason and referral.answered_at == referral.closed_at
        if referral.status in (Status.COMPLETED, Status.FAILED):
            assert referral.outcome and referral.outcome_on == referral.closed_at.date()
            assert referral.outcome_on >= referral.sent_at.date()
            assert referral.status == Status.FAILED or referral.outcome != "not"
        if referral.status == Status.CANCELLED:
            assert referral.cancel_reason
        if referral.status == Status.SENT:
            assert referral.answered_at is None and referral.closed_at is None
        if referral.revoked and referral.status != Status.CANCELLED:  # cancelled: withdrawn as such
            withdrawn = Consent.objects.filter(case=case, purpose=ConsentPurpose.PROVIDERS, given=False)
            assert withdrawn.filter(recorded_at__gte=referral.closed_at or referral.sent_at).exists()
            assert referral.status not in OPEN


def test_generated_referrals_and_versions_read_through_the_real_queries_and_pages(generated):
    """The case worker sees the changed plan, its comparison and the case's referrals; the
    provider's staff see their referrals in the inbox (not the revoked ones) and no case;
    the overdue list and the funnel count what was generated."""
    from django.test import Client

    from remis.accounts.models import Membership
    from remis.accounts.permissions import Perm
    from remis.cases.policy import case_permissions
    from remis.referrals.models import Referral
    from remis.referrals.queries import FunnelFilters, funnel, funnel_total, overdue, provider_side

    caseworker = User.objects.get(username="caseworker.gn")
    referral = (
        Referral.objects.filter(
            case__in=visible_cases(caseworker), case__plan__latest__number=2, revoked=False
        )
        .exclude(provider__organisation=None)
        .first()
    )
    assert referral is not None
    case = referral.case
    assert Perm.REFERRAL_SEND in case_permissions(caseworker, case)
    client = Client()
    client.force_login(caseworker)
    plan_page = client.get(f"/cases/{case.uuid}/plan/")
    assert plan_page.status_code == 200
    assert (
        "Superseded" in plan_page.text
        or "Submitted for approval" in plan_page.text
        or "Draft" in plan_page.text
    )
    assert client.get(f"/cases/{case.uuid}/plan/compare/").status_code == 200
    assert client.get(f"/referrals/{referral.uuid}/").status_code == 200
    assert case.reference in client.get(f"/cases/{case.uuid}/").text
    assert client.get("/referrals/overdue/").status_code == 200
    assert list(overdue(caseworker)) == list(
        overdue(caseworker).filter(status="sent", due_on__lt=dt.date.today())
    )
    rows = funnel(caseworker, FunnelFilters())
    assert funnel_total(rows).referred == Referral.objects.filter(case__in=visible_cases(caseworker)).count()

    staff = Membership.objects.get(
        organisation=referral.provider.organisation, role_id="service_provider"
    ).user
    inbox = provider_side(staff)
    assert referral in inbox and not inbox.filter(revoked=True).exists()
    provider = Client()
    provider.force_login(staff)
    assert provider.get("/referrals/").status_code == 200
    detail = provider.get(f"/referrals/{referral.uuid}/")
    assert detail.status_code == 200 and referral.shared_reference in detail.text
    assert provider.get(f"/cases/{case.uuid}/plan/").status_code == 404
    other = Client()
    other.force_login(User.objects.get(username="caseworker.iq"))
    assert other.get(f"/referrals/{referral.uuid}/").status_code == 404
    assert other.get(f"/cases/{case.uuid}/plan/").status_code == 404


def test_generated_monitoring_is_what_the_monitoring_actions_would_have_left(generated):
    from remis.cases.models import ConsentPurpose
    from remis.monitoring.instruments.scoring import compile_scorer
    from remis.monitoring.models import ContactAttempt, FollowUp, Response, Visit
    from remis.monitoring.responses import definition_of, score_columns

    returned = Case.objects.exclude(
        stage__in=[Stage.REGISTERED, Stage.COUNSELLING, Stage.RETURN_PLANNED, Stage.CLOSED]
    ).exclude(arrival_date=None)
    scheduled = set(FollowUp.objects.values_list("case_id", flat=True))
    assert set(returned.values_list("pk", flat=True)) <= scheduled  # every returned case has rounds
    assert not FollowUp.objects.filter(case__stage=Stage.CLOSED, status="scheduled").exists()
    statuses = set(FollowUp.objects.values_list("status", flat=True))
    assert statuses >= {"scheduled", "done", "lost", "stopped"}
    # A done round has its visit and its scored answers; a lost one its failed attempts.
    for follow_up in FollowUp.objects.filter(status="done")[:100]:
        visit = Visit.objects.get(follow_up=follow_up)
        assert visit.visited_on == follow_up.done_on
        assert follow_up.window_start <= visit.visited_on <= follow_up.window_end
        response = Response.objects.get(follow_up=follow_up)
        assert response.visit_id == visit.pk and response.composite is not None and response.band
    for follow_up in FollowUp.objects.filter(status="lost")[:50]:
        failed = ContactAttempt.objects.filter(follow_up=follow_up).exclude(outcome="reached")
        assert failed.count() >= 3 and not Visit.objects.filter(follow_up=follow_up).exists()
    # Answers only from returnees who consented to be contacted.
    answered = Case.objects.filter(pk__in=Response.objects.values("case_id"))
    assert answered.exists()
    for case in answered[:100]:
        assert case.has_consent(ConsentPurpose.FOLLOW_UP)
    # Satisfaction answers about delivered items; stored scores are the scorer's own.
    assert Response.objects.exclude(item_key=None).exists()
    for response in Response.objects.select_related("instrument")[:300]:
        expected = score_columns(compile_scorer(definition_of(response.instrument))(response.answers))
        assert {name: getattr(response, name) for name in expected} == expected
