"""The subject access export covers what later apps hold about the person: their plan and
payments (assistance), their referrals, and their follow-up visits, answers and scores
(monitoring), each app's records through the sections it registers."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from remis.assistance import actions as assistance
from remis.cases import actions as cases
from remis.cases.actions.subject_access import export_subject_data
from remis.cases.tests.factories import make_user
from remis.monitoring import actions as monitoring
from remis.monitoring.models import FollowUp
from remis.monitoring.responses import current_instrument, record_response
from remis.monitoring.tests.test_instrument_scoring import answers
from remis.referrals.tests.factories import consent, refer, setting

pytestmark = pytest.mark.django_db


def _column(rows: list[tuple[object, ...]], header: str) -> list[object]:
    at = rows[0].index(header)
    return [row[at] for row in rows[1:]]


def test_plan_payments_referrals_visits_answers_and_scores_are_in_the_file(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the schedule is made on return's commit
        s = setting(world)
    case = s.case
    consent(world, case)
    refer(s, message="Please call her after the market")
    today = timezone.localdate()
    assistance.record_instalment(world.bob, s.item, paid_on=today, amount="150", currency="EUR")
    cases.record_consent(world.bob, case, purpose="follow_up_contact", given=True, given_on=today)
    follow_up = FollowUp.objects.filter(case=case).order_by("round").first()
    assert follow_up is not None
    monitoring.record_visit(
        world.bob, follow_up, visited_on=today, mode="in_person", note="Shop is open", early=True
    )
    instrument = current_instrument("reintegration-sustainability")
    assert instrument is not None
    record_response(
        world.bob,
        instrument,
        answers=answers(comments="Thinks of Libya"),
        collected_on=today,
        follow_up=follow_up,
        early=True,
    )

    officer = make_user("gnadmin", world.gn_partner, "administrator", ["GN"])
    book = load_workbook(io.BytesIO(export_subject_data(officer, case, case.principal)[1]))
    sheets = {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}
    assert _column(sheets["Reintegration plan"], "Description") == ["Welding course, six months"]
    assert _column(sheets["Reintegration plan"], "Budget") == [400]
    assert _column(sheets["Payments"], "Amount") == [150]
    assert _column(sheets["Referrals"], "Service provider") == ["Centre Kaloum (synthetic)"]
    assert _column(sheets["Referrals"], "Message to the provider") == ["Please call her after the market"]
    assert _column(sheets["Follow-up visits"], "Note") == ["Shop is open"]
    answered = dict(
        zip(
            _column(sheets["Follow-up answers"], "Question"),
            _column(sheets["Follow-up answers"], "Answer"),
            strict=True,
        )
    )
    assert answered["Anything else the returnee wants to say"] == "Thinks of Libya"
    # As the case page reads them: 0–100 and the band's name, not 1 and "sustainable".
    assert _column(sheets["Reintegration scores"], "Composite score") == [100]
    assert _column(sheets["Reintegration scores"], "Band") == ["Sustainable"]
    assert _column(sheets["Reintegration scores"], "Questionnaire") == [
        "Reintegration sustainability follow-up"
    ]
