"""An assessment in the case history reads as the form does: each question's text and its
answer's label, never a raw dictionary of codes; proposed and confirmed flags read as the
vulnerabilities' names, masked like them for a reader without their group (a "medical
condition" flag tells of a health answer)."""

from __future__ import annotations

import pytest
from django.utils import translation

from remis.assessments import actions
from remis.assessments.tests.factories import answers
from remis.audit.models import AuditEntry
from remis.audit.presentation import describe_entries

pytestmark = pytest.mark.django_db
ALL = frozenset({"health", "protection", "psychosocial", "identity"})


def _history(case, groups) -> str:
    shown = describe_entries(AuditEntry.objects.filter(case_uuid=case.uuid), groups=groups)
    return str([(c.label, c.before, c.after) for e in shown for c in e.changes])


def test_answers_and_flags_read_as_questions_labels_and_vulnerabilities(world, bob, case):
    actions.record_assessment(bob, case, answers(chronic_illness="yes", housing="with_family"), complete=True)
    text = _history(case, ALL)
    assert "{" not in text and "with_family" not in text and "medical_condition" not in text
    assert "Staying with family or friends" in text and "Medical condition" in text
    assert "Has a chronic illness" in text
    assert "Needs and vulnerability assessment, version 1" in text and "needs-vulnerability v1" not in text
    with translation.override("fr"):
        assert "Problème de santé" in _history(case, ALL)
    with translation.override("ar"):  # Arabic punctuation between the answers
        arabic = _history(case, ALL)
        assert "؛ " in arabic and "; " not in arabic


def test_a_health_flag_is_restricted_for_a_reader_without_health(world, bob, case):
    actions.record_assessment(bob, case, answers(chronic_illness="yes"), complete=True)
    text = _history(case, ALL - {"health"})
    assert "medical_condition" not in text and "Medical condition" not in text and "Restricted" in text


def test_a_change_from_nothing_to_nothing_is_not_listed(world, bob, case):
    from remis.assessments.models import Assessment

    actions.record_assessment(bob, case, answers(chronic_illness="yes"), complete=True)
    done = Assessment.objects.get(case=case)
    actions.confirm_flags(bob, done, ["medical_condition"], expected_version=done.version)
    shown = describe_entries(AuditEntry.objects.filter(action="assessment.confirm_flags"), groups=ALL)
    lines = [(c.label, c.before, c.after) for e in shown for c in e.changes]
    assert ("Confirmed flags", "—", "Medical condition") in lines
    assert all((before, after) != ("—", "—") for _label, before, after in lines), lines
