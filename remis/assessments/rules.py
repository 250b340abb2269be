"""The assessments app's lifecycle guard: no reintegration plan without a completed
assessment (registered from AssessmentsConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

GUARD_NAME = "assessments.completed_assessment"


def needs_completed_assessment(case: Any) -> str | None:
    from remis.assessments.models import Assessment, AssessmentStatus

    if Assessment.objects.filter(case=case, status=AssessmentStatus.COMPLETED).exists():
        return None
    return _("Complete a needs and vulnerability assessment before building the reintegration plan.")
