"""Retention: a programme keeps closed cases whole for N years after closure, then the
retention job anonymises them — names, contacts, documents, free text and exact dates go —
and the aggregate statistics are the same after the run as before (the age at return is
kept exactly, dates to the month)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.formats import date_format

from remis.audit.models import AuditEntry
from remis.cases import actions
from remis.cases.actions.retention import apply_retention, expired_cases
from remis.cases.models import Case, CaseDocument, Note, Person
from remis.cases.tests.factories import make_person, register
from remis.monitoring.models import FollowUp, ScheduleRules
from remis.programmes.actions import change_programme_settings
from remis.reports import analytics
from remis.reports.statistics import Filters, breakdown

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 synthetic test file"
LONG_AGO = dt.timedelta(days=round(3.5 * 365))  # closed that long ago: past a 3-year retention
CODES = ("sex", "age_group", "month", "year", "origin", "category")


def _returned(world, *, born: dt.date, arrived: dt.date, sex: str) -> Case:
    case = _returned_open(world, born=born, arrived=arrived, sex=sex)
    actions.close_case(world.bob, case, "completed")  # the closure day is moved back by the tests
    return case


def _returned_open(world, *, born: dt.date, arrived: dt.date, sex: str) -> Case:
    case = register(world, person=make_person(date_of_birth=born, sex=sex, given_name="Kadiatou"))
    today = timezone.localdate()
    for purpose in ("data_processing", "sharing_with_partners"):
        actions.record_consent(world.alice, case, purpose=purpose, given=True, given_on=today)
    actions.record_counselling(world.alice, case, held_on=today)
    actions.submit_case(world.alice, case, world.gn_partner)
    actions.respond_to_submission(world.bob, case.submissions.get(), accept=True)
    for stage in ("counselling", "return_planned"):
        actions.transition_case(world.alice, case, stage)
    actions.save_travel(
        world.alice,
        case,
        expected_version=None,
        departure_date=arrived - dt.timedelta(days=1),
        arrival_date=arrived,
    )
    case.refresh_from_db()
    actions.transition_case(world.alice, case, "returned")
    actions.add_note(world.alice, case, "Kadiatou lives with her aunt now.")
    actions.upload_document(
        world.alice, case, title="Kadiatou's ticket", upload=SimpleUploadedFile("t.pdf", PDF)
    )
    case.refresh_from_db()
    return case


def _statistics(actor) -> dict[str, list[tuple[str, int, int]]]:
    analytics.reset()
    filters = Filters(start=dt.date(2000, 1, 1), end=timezone.localdate())
    tables = {code: breakdown(actor, filters, code) for code in CODES}
    return {
        code: [(r.key, r.persons, r.cases) for r in table.rows] for code, table in tables.items() if table
    }


def test_expired_cases_are_anonymised_and_the_statistics_stay_the_same(world):
    today = timezone.localdate()
    arrived = today.replace(year=today.year - 4, month=3, day=10)
    old = [
        # 17 at arrival, 18 by the year's count: the age group must not move.
        _returned(
            world, born=arrived.replace(year=arrived.year - 18, month=6, day=1), arrived=arrived, sex="F"
        ),
        _returned(
            world, born=arrived.replace(year=arrived.year - 40, month=1, day=2), arrived=arrived, sex="M"
        ),
    ]
    recent = _returned(world, born=dt.date(1990, 5, 5), arrived=arrived, sex="F")
    closed_long_ago = timezone.now() - dt.timedelta(days=round(3.5 * 365))
    Case.objects.filter(pk__in=[c.pk for c in old]).update(stage_changed_at=closed_long_ago)
    Case.objects.filter(pk=recent.pk).update(stage_changed_at=timezone.now() - dt.timedelta(days=300))

    assert not expired_cases(today).exists()  # retention 0: kept whole
    change_programme_settings(world.admin, world.programme, today, {"retention_years": 3}, note="Policy")
    assert set(expired_cases(today)) == set(old)

    before = _statistics(world.admin)
    assert apply_retention(today) == {"cases": 2, "persons": 2}
    assert _statistics(world.admin) == before

    for case in old:
        case.refresh_from_db()
        person = case.principal
        assert case.anonymised_at is not None and case.arrival_date == arrived.replace(day=1)
        assert (
            person.erased_at is not None and person.given_name != "Kadiatou" and person.date_of_birth is None
        )
        assert Note.objects.get(case=case).body == ""
        assert not CaseDocument.objects.filter(case=case, deleted_at__isnull=True).exists()
    recent.refresh_from_db()
    assert recent.anonymised_at is None and recent.principal.given_name == "Kadiatou"
    assert AuditEntry.objects.filter(action="case.anonymise").count() == 2
    assert AuditEntry.objects.filter(action="retention.run").count() == 1
    # The organisation's focal point and administrator find when each case was anonymised
    # (entries of the system, naming no organisation: their search found none).
    from remis.audit.queries import search_entries
    from remis.cases.tests.factories import make_user

    dpo = make_user("dpo", world.be_office, "data_protection_focal_point", ["BE"])
    administrator = make_user("admin-be", world.be_office, "administrator", ["BE"])
    for reader in (dpo, administrator, world.admin):
        found = search_entries(reader, action="case.anonymise")
        assert set(found.values_list("case_uuid", flat=True)) == {c.uuid for c in old}, reader
    other = make_user("dpo-nl", world.nl_office, "data_protection_focal_point", ["NL"])
    assert not search_entries(other, action="case.anonymise").exists()
    assert apply_retention(today) == {"cases": 0, "persons": 0}  # a second run finds nothing


def test_a_person_on_a_case_still_kept_is_not_erased_there(world):
    today = timezone.localdate()
    arrived = today.replace(year=today.year - 4, month=3, day=10)
    case = _returned(world, born=dt.date(1985, 1, 1), arrived=arrived, sex="M")
    Case.objects.filter(pk=case.pk).update(stage_changed_at=timezone.now() - LONG_AGO)
    person = case.principal
    other = register(world)
    actions.add_household_member(world.alice, other, make_person(given_name="Sekou"), "sibling")
    sekou = Person.objects.get(given_name="Sekou")
    actions.add_household_member(world.alice, case, make_person(given_name="Other"), "child")
    case.members.filter(person__given_name="Other").update(person=sekou)  # the same person on both
    change_programme_settings(world.admin, world.programme, today, {"retention_years": 3})
    apply_retention(today)
    assert Person.objects.get(pk=sekou.pk).given_name == "Sekou"  # kept: their other case is live
    assert Person.objects.get(pk=person.pk).erased_at is not None


def test_later_apps_dates_go_to_their_month_and_the_monitoring_figures_stay(
    world, client, django_capture_on_commit_callbacks
):
    """A case with a plan, a payment, a referral, an assessment and monitoring rounds done
    before, after and within their windows (years ago, set as history left them): after
    retention, every one of those dates is the first of its month, and each office's rounds
    done within their window are as many as before."""
    from remis.assessments.actions import record_assessment
    from remis.assessments.models import Assessment
    from remis.assessments.tests.factories import answers as assessment_answers
    from remis.assistance import actions as assistance
    from remis.assistance.models import Approval, AssistanceItem, Goal, Instalment, Need, Plan, PlanVersion
    from remis.communities.actions import add_participant, create_project
    from remis.communities.models import Participant
    from remis.communities.tests.conftest import valid_values as valid_project_values
    from remis.monitoring.models import ContactAttempt, FollowUp, Response, Visit
    from remis.monitoring.queries import office_summary
    from remis.monitoring.responses import current_instrument, record_response
    from remis.monitoring.tests.test_instrument_scoring import answers as monitoring_answers
    from remis.referrals.models import Referral
    from remis.referrals.tests.factories import refer, setting

    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        s = setting(world)  # at the plan stage, a referral item approved
    case = s.case
    actions.record_consent(world.bob, case, purpose="sharing_with_providers", given=True, given_on=today)
    actions.record_consent(world.bob, case, purpose="follow_up_contact", given=True, given_on=today)
    refer(s)
    assistance.record_instalment(world.bob, s.item, paid_on=today, amount="100", currency="EUR")
    record_assessment(world.bob, case, assessment_answers(), complete=True)
    rss = current_instrument("reintegration-sustainability")
    assert rss is not None
    record_response(world.bob, rss, answers=monitoring_answers(), collected_on=today, case=case)
    year = today.year - 4
    history = [  # window, day done: early in the opening month, late in the closing one, within
        (dt.date(year, 3, 20), dt.date(year, 5, 19), dt.date(year, 3, 5)),
        (dt.date(year, 6, 20), dt.date(year, 8, 19), dt.date(year, 8, 25)),
        (dt.date(year, 12, 3), dt.date(year + 1, 2, 1), dt.date(year, 12, 17)),
    ]
    rounds = list(FollowUp.objects.filter(case=case).order_by("round"))
    assert len(rounds) == 3
    for follow_up, (start, end, done) in zip(rounds, history, strict=True):
        FollowUp.objects.filter(pk=follow_up.pk).update(
            status="done",
            window_start=start,
            window_end=end,
            due_on=start + dt.timedelta(days=30),
            done_on=done,
        )
        Visit.objects.create(
            case=case, follow_up=follow_up, visited_on=done, mode="phone", recorded_by=world.bob
        )
        ContactAttempt.objects.create(
            case=case,
            follow_up=follow_up,
            attempted_on=done,
            channel="phone",
            outcome="reached",
            recorded_by=world.bob,
        )
    Response.objects.filter(case=case).update(collected_on=dt.date(year, 12, 17))
    Instalment.objects.filter(item__key=s.item.key).update(paid_on=dt.date(year, 4, 9))
    Assessment.objects.filter(case=case).update(assessed_on=dt.date(year, 1, 14))
    project = create_project(world.bob, valid_project_values())
    add_participant(world.bob, project, case.reference, joined_on=today)
    Participant.objects.filter(case=case).update(joined_on=dt.date(year, 6, 14))
    actions.close_case(world.bob, Case.objects.get(pk=case.pk), "completed")
    Case.objects.filter(pk=case.pk).update(stage_changed_at=timezone.now() - LONG_AGO)
    change_programme_settings(world.admin, world.programme, today, {"retention_years": 3})
    before = [(row.country, row.done, row.done_in_window) for row in office_summary(world.admin, today)]
    assert before == [("GN", 3, 1)]

    assert apply_retention(today)["cases"] == 1
    assert [(r.country, r.done, r.done_in_window) for r in office_summary(world.admin, today)] == before
    dates = [
        *FollowUp.objects.filter(case=case).values_list("due_on", "done_on"),
        *Visit.objects.filter(case=case).values_list("visited_on"),
        *ContactAttempt.objects.filter(case=case).values_list("attempted_on"),
        *Response.objects.filter(case=case).values_list("collected_on"),
        *Instalment.objects.filter(item__key=s.item.key).values_list("paid_on"),
        *AssistanceItem.objects.filter(version__plan__case=case).values_list("starts_on", "ends_on"),
        *PlanVersion.objects.filter(plan__case=case).values_list("agreed_on"),
        *Referral.objects.filter(case=case).values_list("due_on", "outcome_on"),
        *Assessment.objects.filter(case=case).values_list("assessed_on"),
        *Participant.objects.filter(case=case).values_list("joined_on"),
    ]
    days = [day for row in dates for day in row if day is not None]
    assert len(days) >= 15 and {day.day for day in days} == {1}, days
    moments = [
        *PlanVersion.objects.filter(plan__case=case).values_list("created_at", "submitted_at", "approved_at"),
        *Plan.objects.filter(case=case).values_list("created_at"),
        *Instalment.objects.filter(item__key=s.item.key).values_list("recorded_at"),
        *Approval.objects.filter(version__plan__case=case).values_list("at"),
        *Referral.objects.filter(case=case).values_list("sent_at", "answered_at", "closed_at"),
        *Assessment.objects.filter(case=case).values_list("completed_at", "created_at", "updated_at"),
        *Visit.objects.filter(case=case).values_list("recorded_at"),
        *FollowUp.objects.filter(case=case).values_list("created_at"),
        *ContactAttempt.objects.filter(case=case).values_list("recorded_at"),
        *Response.objects.filter(case=case).values_list("recorded_at"),
        *Participant.objects.filter(case=case).values_list("added_at"),
    ]
    stamps = [moment for row in moments for moment in row if moment is not None]
    assert len(stamps) >= 15 and {(m.day, m.hour, m.minute) for m in stamps} == {(1, 12, 0)}, stamps
    assert Instalment.objects.get(item__key=s.item.key).paid_on == dt.date(year, 4, 1)  # its month kept
    # The plan's free text and the signed agreement go, as the case's notes and files do.
    versions = PlanVersion.objects.filter(plan__case=case)
    assert versions.exists() and not versions.exclude(agreement_file="").exists()
    assert not Need.objects.filter(version__in=versions).exclude(description="").exists()
    assert not Goal.objects.filter(need__version__in=versions).exclude(description="").exists()
    assert not AssistanceItem.objects.filter(version__in=versions).exclude(description="").exists()

    # The later apps' own pages write those days as months too: the first of a month,
    # written as a day, reads as a day that never happened.
    client.force_login(world.bob)
    pages = [
        f"/cases/{case.uuid}/plan/",
        f"/cases/{case.uuid}/plan/items/{s.item.pk}/",
        f"/cases/{case.uuid}/assessments/",
        *(f"/cases/{case.uuid}/follow-ups/{f.round}/" for f in rounds),
        *(f"/referrals/{r.uuid}/" for r in Referral.objects.filter(case=case)),
    ]
    paid = Instalment.objects.get(item__key=s.item.key).paid_on
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        for day in days:
            assert date_format(day, "SHORT_DATE_FORMAT") not in page, (path, day)
    item_page = client.get(f"/cases/{case.uuid}/plan/items/{s.item.pk}/").content.decode()
    assert date_format(paid, "YEAR_MONTH_FORMAT") in item_page


def test_an_anonymised_case_keeps_no_exact_day_of_its_journey_and_its_page_shows_months(
    world, client, django_capture_on_commit_callbacks
):
    from remis.cases.models import Consent, CounsellingSession, Submission, Transition
    from remis.lib.dates import moment_month

    today = timezone.localdate()
    arrived = today.replace(year=today.year - 4, month=3, day=10)
    ScheduleRules.objects.update(effective_from=dt.date(2000, 1, 1))  # a schedule in force then
    with django_capture_on_commit_callbacks(execute=True):  # monitoring schedules its rounds
        case = _returned_open(world, born=dt.date(1985, 1, 1), arrived=arrived, sex="M")
    with django_capture_on_commit_callbacks(execute=True):
        actions.close_case(world.bob, case, "completed")
    Case.objects.filter(pk=case.pk).update(stage_changed_at=timezone.now() - LONG_AGO)
    first_moment = Transition.objects.filter(case=case).order_by("at").first()
    assert first_moment is not None
    change_programme_settings(world.admin, world.programme, today, {"retention_years": 3})
    planned = list(FollowUp.objects.filter(case=case).values_list("due_on", flat=True))
    assert len(planned) == 3 and {day.day for day in planned} == {arrived.day}
    apply_retention(today)

    case.refresh_from_db()
    assert case.registered_at == moment_month(case.registered_at) and case.registered_at.day == 1
    assert case.stage_changed_at.day == 1 and case.stage_changed_at.hour == 12
    assert all(t.at == moment_month(t.at) for t in Transition.objects.filter(case=case))
    assert all(c.given_on.day == 1 for c in Consent.objects.filter(case=case))
    assert all(s.held_on.day == 1 for s in CounsellingSession.objects.filter(case=case))
    for s in Submission.objects.filter(case=case):
        assert s.submitted_at.day == 1 and (s.responded_at is None or s.responded_at.day == 1)
    assert all(a.granted_at.day == 1 for a in case.access.all())

    client.force_login(world.bob)
    page = client.get(f"/cases/{case.uuid}/").content.decode()
    exact = timezone.localtime(AuditEntry.objects.filter(case_uuid=case.uuid).latest("id").at)
    month = exact.strftime("%B %Y")
    assert month in page  # the history: the audit log's own moments, written to the month
    assert exact.strftime("%H:%M") not in page and exact.strftime("%-d %B %Y") not in page
    # The history's recorded values too: the travel's arrival day is in the log, not on the page.
    # (and a field's own reading of its logged days: the rounds planned, "due 10 Jun 2022").
    for day in (arrived, *planned):
        assert (
            date_format(day, "SHORT_DATE_FORMAT") not in page and date_format(day, "DATE_FORMAT") not in page
        )
    # Later apps' panels too: a round's coarse due day is no exact day either.
    rounds = list(FollowUp.objects.filter(case=case).order_by("round"))
    assert rounds and all(f.due_on.day == 1 for f in rounds)
    for f in rounds:
        assert f.due_on.strftime("%m/%d/%Y") not in page and f.due_on.strftime("%B %Y") in page
    # The case list shows its registration and arrival as months too.
    listed = client.get("/cases/", {"q": case.reference}).content.decode()
    row = listed[listed.index(f'href="/cases/{case.uuid}/"') :]
    row = row[: row.index("</tr>")]
    assert case.arrival_date is not None and date_format(case.arrival_date, "YEAR_MONTH_FORMAT") in row
    assert date_format(case.arrival_date, "SHORT_DATE_FORMAT") not in row


def test_an_anonymised_case_can_be_read_but_no_longer_changed(
    world, client, api_client, django_capture_on_commit_callbacks
):
    from remis.lib.errors import PermissionDenied
    from remis.monitoring.actions import record_contact_attempt

    today = timezone.localdate()
    ScheduleRules.objects.update(effective_from=dt.date(2000, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        case = _returned_open(
            world, born=dt.date(1985, 1, 1), arrived=dt.date(today.year - 4, 3, 10), sex="F"
        )
    with django_capture_on_commit_callbacks(execute=True):
        actions.close_case(world.bob, case, "completed")
    Case.objects.filter(pk=case.pk).update(stage_changed_at=timezone.now() - LONG_AGO)
    change_programme_settings(world.admin, world.programme, today, {"retention_years": 3})
    apply_retention(today)
    case.refresh_from_db()
    assert case.anonymised_at is not None
    notes, entries = Note.objects.filter(case=case).count(), AuditEntry.objects.count()

    # Writing a name, a note or a visit back into it would undo the anonymisation.
    with pytest.raises(PermissionDenied) as refused:
        actions.add_note(world.alice, case, "Back in Conakry, new phone number.")
    assert "anonymised" in refused.value.message  # why, not only "no permission"
    with pytest.raises(PermissionDenied):
        actions.reopen_case(world.bob, case, "asked again")
    round_1 = FollowUp.objects.filter(case=case).order_by("round").first()
    assert round_1 is not None
    with pytest.raises(PermissionDenied):
        record_contact_attempt(
            world.alice,
            round_1,
            attempted_on=today,
            channel="phone",
            outcome="reached",
        )
    assert Note.objects.filter(case=case).count() == notes and AuditEntry.objects.count() == entries

    client.force_login(world.alice)
    page = client.get(f"/cases/{case.uuid}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="anonymised"' in html
    targets = set(re.findall(r'<form[^>]*method="post"[^>]*action="([^"]*)"', html))
    assert not [t for t in targets if str(case.uuid) in t]  # no step, note or visit form is offered
    refusal = api_client.as_(world.alice).post(f"/cases/{case.uuid}/notes", {"body": "x"})
    assert refusal.status_code == 403 and "anonymised" in refusal.content.decode()
    record = api_client.get(f"/cases/{case.uuid}")
    assert record.status_code == 200 and record.json()["anonymised"] is True  # why its names are gone
