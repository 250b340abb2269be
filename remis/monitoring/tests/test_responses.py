"""Responses are checked, scored and stored with their instrument version; a round answered
is done; comparison samples need no case; bad answers are refused naming the question; a
response dated after the case's closure is refused; an imported submission is kept once;
rescoring recomputes stored scores."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from remis.audit.models import AuditEntry
from remis.cases import actions as cases
from remis.cases.tests.factories import returned_case
from remis.lib.errors import Duplicate, PermissionDenied, TransitionRefused, ValidationFailed
from remis.monitoring.models import FollowUp, FollowUpStatus, Response
from remis.monitoring.responses import current_instrument, record_response, rescore
from remis.monitoring.tests.test_instrument_scoring import answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def rss():
    instrument = current_instrument("reintegration-sustainability")
    assert instrument is not None and instrument.version == 1
    return instrument


@pytest.fixture
def case(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = returned_case(world)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    return case


def test_a_round_answered_is_scored_stored_and_done(world, case, rss):
    follow_up = FollowUp.objects.get(case=case, round=1)
    today = timezone.localdate()
    response = record_response(
        world.bob, rss, answers=answers(), collected_on=today, follow_up=follow_up, early=True
    )
    assert response.composite == Decimal("1.0000") and response.band == "sustainable"
    assert response.economic == response.social == response.psychosocial == Decimal("1.0000")
    assert response.instrument.version == 1 and response.case == case
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE and follow_up.done_on == today
    entry = AuditEntry.objects.get(action="monitoring.response")
    assert entry.changes["band"] == [None, "sustainable"] and "answers" not in entry.changes


def test_answers_before_their_rounds_window_need_saying_they_close_it_early(world, case, rss):
    """Round 2's answers (six months on) were taken on the day of round 1's window and
    counted as the six-month score; a round far off was closed by answers without a word."""
    today = timezone.localdate()
    round_one, round_two = FollowUp.objects.filter(case=case, round__in=[1, 2]).order_by("round")
    FollowUp.objects.filter(pk=round_one.pk).update(
        window_start=today - dt.timedelta(days=5), window_end=today + dt.timedelta(days=5)
    )
    with pytest.raises(ValidationFailed) as in_another:
        record_response(
            world.bob, rss, answers=answers(), collected_on=today, follow_up=round_two, early=True
        )
    assert in_another.value.field == "collected_on" and "round 1's window" in in_another.value.message
    FollowUp.objects.filter(pk=round_one.pk).update(window_start=today + dt.timedelta(days=20))
    with pytest.raises(ValidationFailed) as early:
        record_response(world.bob, rss, answers=answers(), collected_on=today, follow_up=round_two)
    with translation.override("en"):
        opens = date_format(round_two.window_start, "SHORT_DATE_FORMAT")
    assert early.value.field == "early" and f"Round 2's window opens on {opens}" in early.value.message
    assert not Response.objects.exists()
    assert FollowUp.objects.get(pk=round_two.pk).status == FollowUpStatus.SCHEDULED
    kept = record_response(
        world.bob, rss, answers=answers(), collected_on=today, follow_up=round_two, early=True
    )
    assert kept.follow_up_id == round_two.pk


def test_answers_of_a_round_a_visit_closed_early_need_no_second_confirmation(world, case, rss):
    """The visit confirmed it: the page offered no confirmation, then refused the answers
    asking for one."""
    from remis.monitoring import actions as monitoring

    today = timezone.localdate()
    round_two = FollowUp.objects.get(case=case, round=2)
    assert today < round_two.window_start
    monitoring.record_visit(world.bob, round_two, visited_on=today, mode="in_person", early=True)
    round_two.refresh_from_db()
    kept = record_response(world.bob, rss, answers=answers(), collected_on=today, follow_up=round_two)
    assert kept.follow_up_id == round_two.pk


def test_a_round_stopped_by_the_cases_closure_takes_no_answers(world, case, rss):
    round_three = FollowUp.objects.get(case=case, round=3)
    FollowUp.objects.filter(pk=round_three.pk).update(status=FollowUpStatus.STOPPED)
    round_three.refresh_from_db()
    with pytest.raises(TransitionRefused) as stopped:
        record_response(
            world.bob,
            rss,
            answers=answers(),
            collected_on=timezone.localdate(),
            follow_up=round_three,
            early=True,
        )
    assert "Round 3 was stopped when the case was closed" in stopped.value.message
    assert not Response.objects.exists()


def test_answers_to_questions_that_do_not_apply_are_not_kept(world, case, rss):
    given = answers(access_to_resources=["none"], credit_source=...)
    response = record_response(world.bob, rss, answers=given, collected_on=timezone.localdate(), case=case)
    assert "credit_source" not in response.answers


def test_bad_answers_are_refused_naming_each_question(world, case, rss):
    bad = answers(income_covers_needs="sometimes-ish", days_reduced_meals="many", distress=...)
    with pytest.raises(ValidationFailed) as refused:
        record_response(world.bob, rss, answers=bad, collected_on=timezone.localdate(), case=case)
    fields = {field for field, _message in refused.value.errors}
    assert {"answers.income_covers_needs", "answers.days_reduced_meals", "answers.distress"} <= fields
    assert not Response.objects.exists()


def test_a_response_dated_after_the_closure_is_refused_one_before_it_is_kept(world, case, rss):
    cases.close_case(world.bob, case, "completed")
    case.refresh_from_db()
    today = timezone.localdate()
    FollowUp.objects.filter(case=case).update(status=FollowUpStatus.STOPPED)
    Response.objects.all().delete()
    from remis.cases.models import Case

    Case.objects.filter(pk=case.pk).update(
        stage_changed_at=timezone.now() - dt.timedelta(days=2), arrival_date=today - dt.timedelta(days=30)
    )
    case.refresh_from_db()
    with pytest.raises(ValidationFailed) as refused:
        record_response(world.bob, rss, answers=answers(), collected_on=today, case=case)
    assert refused.value.field == "collected_on" and "closed" in refused.value.message
    closure = (timezone.localtime(case.stage_changed_at)).date()
    with translation.override("fr"):
        with pytest.raises(ValidationFailed) as refused:
            record_response(world.bob, rss, answers=answers(), collected_on=today, case=case)
        shown = date_format(closure, "SHORT_DATE_FORMAT")
    # The day in the reader's language ("clôturé le 2 déc. 2026"), not as ISO.
    assert closure.isoformat() not in refused.value.message and shown in refused.value.message
    kept = record_response(
        world.bob, rss, answers=answers(), collected_on=today - dt.timedelta(days=3), case=case
    )
    assert kept.pk


def test_no_response_without_follow_up_consent_or_permission(world, case, rss):
    with pytest.raises(PermissionDenied):
        record_response(world.alice, rss, answers=answers(), collected_on=timezone.localdate(), case=case)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=False, given_on=timezone.localdate()
    )
    with pytest.raises(TransitionRefused):
        record_response(world.bob, rss, answers=answers(), collected_on=timezone.localdate(), case=case)


def test_a_comparison_sample_needs_no_case_but_its_id(world, rss):
    kept = record_response(
        world.bob, rss, answers=answers(), collected_on=timezone.localdate(), sample_id="GN-LOCAL-0001"
    )
    assert kept.case is None and kept.sample_id == "GN-LOCAL-0001"
    with pytest.raises(ValidationFailed) as refused:
        record_response(world.bob, rss, answers=answers(), collected_on=timezone.localdate())
    assert refused.value.field == "sample_id"
    with pytest.raises(PermissionDenied):
        record_response(
            world.alice, rss, answers=answers(), collected_on=timezone.localdate(), sample_id="X1"
        )


def test_a_batch_learns_the_ids_it_was_given_and_audits_each_response_under_its_own(world, case, rss):
    """Saved together (an import's chunk), each response knows its id, and its audit entry
    names it, after rows deleted at the end of the table (ids are never reused)."""
    from remis.monitoring.responses import Prepared, prepare_response, save_responses

    def sample(n: int) -> Prepared:
        return prepare_response(
            world.bob, rss, answers=answers(), collected_on=timezone.localdate(), sample_id=f"GN-{n}"
        )

    save_responses(world.bob, [sample(n) for n in range(3)])
    Response.objects.filter(sample_id="GN-2").delete()
    saved = save_responses(world.bob, [sample(n) for n in range(10, 14)])
    stored = dict(Response.objects.values_list("uuid", "id"))
    assert [r.pk for r in saved] == [stored[r.uuid] for r in saved]
    audited = AuditEntry.objects.filter(action="monitoring.response")
    assert set(audited.values_list("object_id", flat=True)) >= {str(r.pk) for r in saved}


def test_a_submission_is_kept_once(world, case, rss):
    values = {
        "answers": answers(),
        "collected_on": timezone.localdate(),
        "case": case,
        "submission_id": "uuid:abc",
    }
    record_response(world.bob, rss, source="import", **values)
    with pytest.raises(Duplicate):
        record_response(world.bob, rss, source="import", **values)
    assert Response.objects.count() == 1


def test_rescoring_recomputes_stored_scores_with_their_version(world, case, rss):
    response = record_response(
        world.bob, rss, answers=answers(), collected_on=timezone.localdate(), case=case
    )
    Response.objects.filter(pk=response.pk).update(
        composite=Decimal("0.1"), band="needs_follow_up", economic=None
    )
    seen: list[tuple[int, int]] = []
    assert rescore(rss, progress=lambda done, total: seen.append((done, total))) == 1
    response.refresh_from_db()
    assert response.composite == Decimal("1.0000") and response.band == "sustainable" and response.economic
    assert seen == [(1, 1)]


def test_the_rescoring_job_runs_with_progress_and_names_no_one(
    world, case, rss, settings, django_capture_on_commit_callbacks
):
    from remis.jobs import actions as jobs
    from remis.jobs.models import JobStatus
    from remis.monitoring.jobs import RESCORE

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = record_response(
        world.bob, rss, answers=answers(), collected_on=timezone.localdate(), case=case
    )
    Response.objects.filter(pk=response.pk).update(composite=None, band="")
    from remis.cases.tests.factories import make_user

    # One organisation's programme manager rewrote (and counted) every organisation's.
    manager = make_user("mona", world.be_office, "programme_manager", ["BE"])
    for refused in (world.bob, manager):
        with pytest.raises(PermissionDenied):
            jobs.start_job(refused, RESCORE)
    operator = make_user("paul", world.be_office, "platform_operator", ["BE"])
    with pytest.raises(ValidationFailed):
        jobs.start_job(operator, RESCORE, {"instrument": "nope"})
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(operator, RESCORE, {"instrument": rss.code})
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and (job.done, job.total) == (1, 1)
    assert "1 responses rescored" in job.outcome
    response.refresh_from_db()
    assert response.band == "sustainable"


def test_answers_from_a_file_are_kept_in_the_shape_the_form_keeps(world, case, rss):
    """A KoBo or ODK file writes every answer as text: "credit tools", "1". Kept so, the
    export left the choices unlabelled and the API answered text where it answers numbers."""
    given = answers(access_to_resources="credit tools", school_age_children="1", debt_months=" 2.5 ")
    kept = record_response(world.bob, rss, answers=given, collected_on=timezone.localdate(), case=case)
    stored = Response.objects.get(pk=kept.pk).answers
    assert stored["access_to_resources"] == ["credit", "tools"]
    assert stored["school_age_children"] == 1
    assert stored["debt_months"] == "2.5"
    typed = record_response(
        world.bob,
        rss,
        answers=answers(  # the same answers but a comment: the same answers again would be a repeat
            access_to_resources=["credit", "tools"],
            school_age_children=1,
            debt_months="2.5",
            comments="typed",
        ),
        collected_on=timezone.localdate(),
        case=case,
    )
    assert kept.composite == typed.composite


def test_the_history_reads_a_response_as_the_page_does(world, case, rss):
    """It read "Composite score: — → 0.6577" and the instrument's English title in French."""
    from remis.audit.presentation import describe_entries
    from remis.cases.policy import ALL_GROUPS

    given = answers(income_covers_needs="never", main_activity="none")
    response = record_response(world.bob, rss, answers=given, collected_on=timezone.localdate(), case=case)
    entry = AuditEntry.objects.get(action="monitoring.response", object_id=str(response.pk))
    with translation.override("fr"):
        lines = {c.field: c.after for c in describe_entries([entry], groups=ALL_GROUPS)[0].changes}
    assert lines["instrument"] == "Suivi de la durabilité de la réintégration, version 1"
    assert response.composite is not None
    score = f"{float(response.composite) * 100:.1f}".replace(".", ",")
    assert lines["composite"] == score


def test_two_rounds_closed_early_on_one_day_are_refused(world, case, rss):
    """Round 1 answered early the day after arrival, then round 2 the same day, early too:
    both counted, the second as the 6-month score."""
    today = timezone.localdate()
    round_one, round_two = FollowUp.objects.filter(case=case, round__in=[1, 2]).order_by("round")
    FollowUp.objects.filter(pk__in=[round_one.pk, round_two.pk]).update(
        window_start=today + dt.timedelta(days=20)
    )
    FollowUp.objects.filter(pk=round_two.pk).update(window_start=today + dt.timedelta(days=120))
    round_two.refresh_from_db()
    record_response(world.bob, rss, answers=answers(), collected_on=today, follow_up=round_one, early=True)
    with pytest.raises(ValidationFailed) as same_day:
        record_response(
            world.bob, rss, answers=answers(), collected_on=today, follow_up=round_two, early=True
        )
    assert same_day.value.field == "collected_on" and "Round 1 was answered on" in same_day.value.message
    assert "round 2's answers must be collected after it" in same_day.value.message
    assert FollowUp.objects.get(pk=round_two.pk).status == FollowUpStatus.SCHEDULED
    assert Response.objects.count() == 1


def test_round_one_answered_on_or_after_round_two_s_day_is_refused(world, case, rss):
    """Round 2 answered early first, then round 1 the same day: both were kept, the 3-month
    answers dated with the 6-month ones."""
    today = timezone.localdate()
    round_one, round_two = FollowUp.objects.filter(case=case, round__in=[1, 2]).order_by("round")
    FollowUp.objects.filter(pk=round_one.pk).update(window_start=today + dt.timedelta(days=20))
    FollowUp.objects.filter(pk=round_two.pk).update(window_start=today + dt.timedelta(days=120))
    round_one.refresh_from_db()
    record_response(world.bob, rss, answers=answers(), collected_on=today, follow_up=round_two, early=True)
    with pytest.raises(ValidationFailed) as same_day:
        record_response(
            world.bob, rss, answers=answers(), collected_on=today, follow_up=round_one, early=True
        )
    assert same_day.value.field == "collected_on" and "Round 2 was answered on" in same_day.value.message
    assert Response.objects.count() == 1


def test_answers_after_a_later_rounds_cannot_count_for_an_earlier_round(world, case, rss):
    """Round 1's answers, collected eight months after arrival and after round 2's, were
    saved as the 3-month score without a word."""
    from remis.cases.models import Case

    today = timezone.localdate()
    Case.objects.filter(pk=case.pk).update(arrival_date=today - dt.timedelta(days=240))
    round_one, round_two = FollowUp.objects.filter(case=case, round__in=[1, 2]).order_by("round")
    FollowUp.objects.filter(pk=round_one.pk).update(
        window_start=today - dt.timedelta(days=200), window_end=today - dt.timedelta(days=140)
    )
    FollowUp.objects.filter(pk=round_two.pk).update(
        window_start=today - dt.timedelta(days=100), window_end=today - dt.timedelta(days=40)
    )
    round_one.refresh_from_db()
    round_two.refresh_from_db()
    record_response(
        world.bob, rss, answers=answers(), collected_on=today - dt.timedelta(days=60), follow_up=round_two
    )
    with pytest.raises(ValidationFailed) as late:
        record_response(world.bob, rss, answers=answers(), collected_on=today, follow_up=round_one)
    assert late.value.field == "collected_on" and "Round 2 was answered on" in late.value.message
    assert "cannot count for round 1" in late.value.message
    # Late but before round 2's answers (collected then, entered now): accepted.
    kept = record_response(
        world.bob, rss, answers=answers(), collected_on=today - dt.timedelta(days=120), follow_up=round_one
    )
    assert kept.follow_up_id == round_one.pk
