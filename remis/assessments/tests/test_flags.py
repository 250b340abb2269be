"""Answers propose vulnerability flags; the case worker confirms each, and confirming sets
the case's vulnerabilities through the cases app's action, audited."""

from __future__ import annotations

import pytest

from remis.assessments import actions
from remis.assessments.models import AssessmentFlag, FlagDecision
from remis.assessments.tests.factories import answers, worker_without_health
from remis.audit.models import AuditEntry
from remis.lib.errors import PermissionDenied, ValidationFailed
from remis.programmes.models import Vulnerability

pytestmark = pytest.mark.django_db


def _proposed(assessment):
    return set(assessment.flags.values_list("vulnerability__code", flat=True))


def _aged(case, years):
    """The principal born `years` ago today: the age answered must agree with the case."""
    import datetime as dt

    from remis.cases.models import Person

    today = dt.date.today()
    Person.objects.filter(pk=case.principal_id).update(date_of_birth=today.replace(year=today.year - years))
    case.principal.refresh_from_db()
    return years


def test_answers_propose_the_flags_of_the_rules(world, bob, case):
    done = actions.record_assessment(
        bob, case, answers(single_parent="yes", age=_aged(case, 67), wellbeing="very_poor"), complete=True
    )
    assert _proposed(done) == {"medical_condition", "single_parent", "elderly", "mental_health"}
    calm = actions.record_assessment(
        bob, case, answers(chronic_illness="no", age=_aged(case, 59)), complete=True
    )
    assert _proposed(calm) == set()


def test_a_draft_proposes_nothing_until_completed(world, bob, case):
    draft = actions.record_assessment(bob, case, answers())
    assert _proposed(draft) == set()
    with pytest.raises(ValidationFailed):
        actions.confirm_flags(bob, draft, ["medical_condition"], expected_version=draft.version)


def test_confirming_sets_the_case_vulnerabilities_and_records_who_and_when(world, bob, case):
    done = actions.record_assessment(bob, case, answers(single_parent="yes"), complete=True)
    actions.confirm_flags(bob, done, ["medical_condition"], expected_version=done.version)
    case.refresh_from_db()
    assert set(case.vulnerabilities.values_list("code", flat=True)) == {"medical_condition"}
    decided = {f.vulnerability.code: f for f in done.flags.select_related("vulnerability")}
    assert decided["medical_condition"].decision == FlagDecision.CONFIRMED
    assert decided["single_parent"].decision == FlagDecision.DECLINED
    assert decided["medical_condition"].decided_by == bob and decided["medical_condition"].decided_at
    entry = AuditEntry.objects.get(action="assessment.confirm_flags")
    assert entry.changes == {"confirmed": [[], ["medical_condition"]], "declined": [[], ["single_parent"]]}
    assert AuditEntry.objects.filter(action="case.update", case_uuid=case.uuid).exists()


def test_confirming_keeps_the_vulnerabilities_already_on_the_case(world, bob, case):
    from remis.cases.tests.factories import assign

    case.vulnerabilities.add(Vulnerability.objects.get(code="disability"))
    assign(bob, case, [bob])  # beside the host office's counsellor: each assigns its own
    workers = set(case.assigned_workers.all())
    assert bob in workers
    done = actions.record_assessment(bob, case, answers(), complete=True)
    actions.confirm_flags(bob, done, ["medical_condition"], expected_version=done.version)
    case.refresh_from_db()
    assert set(case.vulnerabilities.values_list("code", flat=True)) == {"disability", "medical_condition"}
    assert set(case.assigned_workers.all()) == workers


def test_a_flag_not_proposed_cannot_be_confirmed_and_nothing_is_written(world, bob, case):
    done = actions.record_assessment(bob, case, answers(), complete=True)
    with pytest.raises(ValidationFailed) as raised:
        actions.confirm_flags(bob, done, ["victim_of_trafficking"], expected_version=done.version)
    assert raised.value.field == "flags"
    assert not case.vulnerabilities.exists()
    assert AssessmentFlag.objects.get(assessment=done).decision == FlagDecision.PENDING


def test_a_read_only_officer_cannot_confirm(world, bob, carol, case):
    done = actions.record_assessment(bob, case, answers(), complete=True)
    with pytest.raises(PermissionDenied):
        actions.confirm_flags(carol, done, ["medical_condition"], expected_version=done.version)


def test_a_flag_of_a_group_not_held_stays_pending_for_someone_who_holds_it(world, bob, case):
    nina = worker_without_health(world)
    done = actions.record_assessment(bob, case, answers(single_parent="yes"), complete=True)
    with pytest.raises(ValidationFailed):
        actions.confirm_flags(nina, done, ["medical_condition"], expected_version=done.version)
    actions.confirm_flags(nina, done, ["single_parent"], expected_version=done.version)
    flags = {f.vulnerability.code: f.decision for f in done.flags.select_related("vulnerability")}
    assert flags == {"medical_condition": FlagDecision.PENDING, "single_parent": FlagDecision.CONFIRMED}
    done.refresh_from_db()
    actions.confirm_flags(bob, done, ["medical_condition"], expected_version=done.version)
    case.refresh_from_db()
    assert set(case.vulnerabilities.values_list("code", flat=True)) == {"medical_condition", "single_parent"}
