"""The assessments app's part of anonymising a case (retention, `CaseAnonymised`): the day
of each assessment, when it was written and completed, and the decisions on its proposed
flags move to their month."""

from __future__ import annotations

from collections.abc import Sequence

from remis.assessments.models import Assessment, AssessmentFlag
from remis.cases.events import CaseAnonymised
from remis.lib.dates import coarsen


def coarsen_cases(events: Sequence[CaseAnonymised]) -> None:
    ids = [event.case_id for event in events]
    coarsen(
        Assessment.objects.filter(case_id__in=ids),
        dates=["assessed_on"],
        moments=["completed_at", "created_at", "updated_at"],  # when it was written tells the day too
    )
    coarsen(AssessmentFlag.objects.filter(assessment__case_id__in=ids), moments=["decided_at"])
