"""The case page's assessment card and the assessment pages: the form rendered from the
instrument, drafts and completion, reading and confirming flags."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from remis.assessments import actions
from remis.assessments.actions import age_on
from remis.assessments.models import Assessment, AssessmentStatus
from remis.assessments.tests.factories import BORN, answers
from remis.cases.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _post_data(values, **extra):
    data = {"assessed_on": extra.pop("assessed_on", "2026-01-05")}
    for code, value in values.items():
        data[f"q_{code}"] = value
    data.update(extra)
    return data


def test_the_case_page_shows_the_card_and_a_link_to_record(world, bob, case, client):
    assert client.login(username=bob.username, password=PASSWORD)
    page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert 'id="assessment"' in page and "No assessment recorded yet" in page
    assert reverse("assessment_record", args=[case.uuid]) in page


def test_the_form_is_rendered_from_the_instrument(world, bob, case, client):
    assert client.login(username=bob.username, password=PASSWORD)
    page = client.get(reverse("assessment_record", args=[case.uuid])).content.decode()
    assert 'type="radio" name="q_housing"' in page
    assert 'type="checkbox" name="q_skills"' in page
    assert 'type="date" name="q_arrived_in_community"' in page
    assert "<legend>Housing</legend>" in page


def test_completing_from_the_page_then_confirming_a_flag(world, bob, case, client, today):
    assert client.login(username=bob.username, password=PASSWORD)
    response = client.post(
        reverse("assessment_record", args=[case.uuid]),
        _post_data(answers(), assessed_on=today.isoformat(), complete="1"),
    )
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and assessment.status == AssessmentStatus.COMPLETED
    assert assessment.answers["skills"] == ["trade", "driving"]
    page = client.get(reverse("assessment_detail", args=[assessment.uuid])).content.decode()
    assert "Medical condition" in page and "To confirm" in page
    assert "1,200.50" in page  # the debt as numbers are written (1200.50 read as typed)
    arabic = client.get(
        reverse("assessment_detail", args=[assessment.uuid]), HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()
    assert "1\u00a0200,50" in arabic
    client.post(
        reverse("assessment_confirm", args=[assessment.uuid]),
        {"flags": ["medical_condition"], "version": assessment.version},
    )
    case.refresh_from_db()
    assert list(case.vulnerabilities.values_list("code", flat=True)) == ["medical_condition"]
    card = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert "Confirmed" in card and "version 1" in card


def test_missing_required_answers_are_shown_beside_their_questions(world, bob, case, client, today):
    assert client.login(username=bob.username, password=PASSWORD)
    response = client.post(
        reverse("assessment_record", args=[case.uuid]),
        _post_data({"housing": "rented"}, assessed_on=today.isoformat(), complete="1"),
    )
    assert response.status_code == 200 and not Assessment.objects.exists()
    page = response.content.decode()
    assert 'id="id_q_wellbeing_error"' in page and "an answer is required" in page


def test_a_draft_is_saved_and_continued(world, bob, case, client, today):
    assert client.login(username=bob.username, password=PASSWORD)
    client.post(
        reverse("assessment_record", args=[case.uuid]),
        _post_data({"housing": "rented"}, assessed_on=today.isoformat(), draft="1"),
    )
    draft = Assessment.objects.get()
    assert draft.status == AssessmentStatus.DRAFT
    edit = reverse("assessment_edit", args=[draft.uuid])
    assert 'value="rented" id="id_q_housing_1" checked' in client.get(edit).content.decode()
    client.post(edit, _post_data(answers(), assessed_on=today.isoformat(), version=1, complete="1"))
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.COMPLETED


def test_a_counsellor_is_refused_the_form_and_an_outsider_finds_nothing(world, alice, dave, case, client):
    assert client.login(username=alice.username, password=PASSWORD)
    assert client.get(reverse("assessment_record", args=[case.uuid])).status_code == 403
    client.logout()
    assert client.login(username=dave.username, password=PASSWORD)
    assert client.get(reverse("assessment_record", args=[case.uuid])).status_code == 404
    assert client.get(reverse("case_assessments", args=[case.uuid])).status_code == 404


def test_past_assessments_are_listed_with_their_instrument_version(world, bob, case, client):
    actions.record_assessment(bob, case, answers(), complete=True)
    assert client.login(username=bob.username, password=PASSWORD)
    page = client.get(reverse("case_assessments", args=[case.uuid])).content.decode()
    assert "Needs and vulnerability assessment, version 1" in page


def test_a_draft_saved_untouched_is_said_unchanged_and_a_changed_one_saved(world, bob, case, client):
    then = age_on(BORN, dt.date(2026, 1, 5))  # the age the case gives on the assessment's day
    draft = actions.record_assessment(
        bob, case, answers(age=then), assessed_on=dt.date(2026, 1, 5), complete=False
    )
    assert client.login(username=bob.username, password=PASSWORD)
    url = reverse("assessment_edit", args=[draft.uuid])
    data = _post_data(answers(age=then), version=draft.version, draft="1")
    page = client.post(url, data, follow=True).content.decode()
    assert "Nothing was changed." in page and "The draft is saved." not in page
    assert Assessment.objects.get(pk=draft.pk).version == draft.version
    older = str(then + 1)  # a birthday near: the case's date of birth allows a year either way
    page = client.post(url, {**data, "q_age": older}, follow=True).content.decode()
    assert "The draft is saved." in page
    # Read back as typed: an age of 35 read "35.00", as money.
    form = client.get(url).content.decode()
    assert re.search(rf'name="q_age"[^>]*value="{older}"', form), re.findall(r'name="q_age"[^>]*>', form)


def test_a_draft_saved_from_an_outdated_page_is_refused_as_a_conflict_on_the_form(world, bob, case, client):
    age = age_on(BORN, dt.date(2026, 1, 5))  # the age the case gives on the assessment's day
    draft = actions.record_assessment(
        bob, case, answers(age=age), assessed_on=dt.date(2026, 1, 5), complete=False
    )
    assert client.login(username=bob.username, password=PASSWORD)
    url = reverse("assessment_edit", args=[draft.uuid])
    opened = _post_data(answers(age=age), version=draft.version, draft="1")
    client.post(url, {**opened, "q_age": str(age + 1)})
    page = client.post(url, {**opened, "q_age": str(age - 1)}).content.decode()
    assert "Someone else saved this record after you opened it." in page
    assert "version:" not in page  # the hidden field's name is no explanation
    assert Assessment.objects.get(pk=draft.pk).answers["age"] == age + 1


def test_an_amount_is_read_as_the_page_language_writes_it(world, bob, case, client, today):
    assert client.login(username=bob.username, password=PASSWORD)
    values = answers() | {"debt_amount": "1\u202f200,50"}  # French digits grouping and decimal comma
    response = client.post(
        reverse("assessment_record", args=[case.uuid]),
        _post_data(values, assessed_on=today.isoformat()),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Assessment.objects.get().answers["debt_amount"] == "1200.50"


def test_a_decimal_answer_reads_back_on_the_edit_form_as_the_page_writes_it(world, bob, case, client):
    """Kept as text ("1200.50"), it read back so on a French edit form, under a page
    writing "1 200,50"."""
    draft = actions.record_assessment(bob, case, answers(), assessed_on=dt.date(2026, 1, 5), complete=False)
    assert client.login(username=bob.username, password=PASSWORD)
    form = client.get(
        reverse("assessment_edit", args=[draft.uuid]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    shown = re.findall(r'name="q_debt_amount"[^>]*value="([^"]*)"', form)
    from decimal import Decimal

    from django.utils import translation
    from django.utils.formats import number_format

    with translation.override("fr"):
        assert shown == [number_format(Decimal("1200.50"), 2, force_grouping=True)], shown


def test_a_date_answer_reads_as_the_reader_writes_dates_and_as_a_month_once_anonymised(
    world, bob, case, client, today
):
    """2026-08-01 was shown as stored among localised dates; and an anonymised case kept
    the day its returnee settled."""
    from django.template.defaultfilters import date as date_filter
    from django.utils import timezone, translation

    from remis.assessments.anonymise import coarsen_cases
    from remis.cases.events import CaseAnonymised
    from remis.cases.models import Case

    settled = today - dt.timedelta(days=3)
    assert client.login(username=bob.username, password=PASSWORD)
    client.post(
        reverse("assessment_record", args=[case.uuid]),
        _post_data(
            answers(arrived_in_community=settled.isoformat()), assessed_on=today.isoformat(), complete="1"
        ),
    )
    assessment = Assessment.objects.get()
    assert assessment.answers["arrived_in_community"] == settled.isoformat()
    page = reverse("assessment_detail", args=[assessment.uuid])
    english = client.get(page).content.decode()
    assert settled.isoformat() not in english
    written = {}
    for language in ("en", "fr"):
        with translation.override(language):
            written[language] = date_filter(settled, "SHORT_DATE_FORMAT")
            written[f"{language}-month"] = date_filter(settled, "YEAR_MONTH_FORMAT")
    assert written["en"] in english and written["en"] != settled.isoformat()
    french = client.get(page, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert written["fr"] in french
    Case.objects.filter(pk=case.pk).update(anonymised_at=timezone.now())
    coarsen_cases([CaseAnonymised(case_id=case.pk)])
    assessment.refresh_from_db()
    assert assessment.answers["arrived_in_community"] == settled.replace(day=1).isoformat()
    month = client.get(page).content.decode()
    assert written["en-month"] in month and written["en"] not in month


def test_a_completed_assessment_reads_in_the_feminine_in_french():
    """Une évaluation achevée: the shared "Completed" is the case's, "Achevé"."""
    from django.utils import translation

    from remis.assessments.models import AssessmentStatus

    with translation.override("fr"):
        assert str(AssessmentStatus.COMPLETED.label) == "Achevée"
    with translation.override("en"):
        assert str(AssessmentStatus.COMPLETED.label) == "Completed"
