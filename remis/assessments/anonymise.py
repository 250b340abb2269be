"""The assessments app's part of anonymising a case (retention, `CaseAnonymised`): the day
of each assessment, when it was written and completed, the decisions on its proposed flags
and the answers to its date questions move to their month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from remis.assessments.models import Assessment, AssessmentFlag, Question, QuestionType
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
    # A date answered (the day the returnee settled in their community) tells the day too.
    date_questions: dict[int, set[str]] = {}
    for instrument_id, code in Question.objects.filter(kind=QuestionType.DATE).values_list(
        "instrument_id", "code"
    ):
        date_questions.setdefault(instrument_id, set()).add(code)
    rows = Assessment.objects.filter(case_id__in=ids, instrument_id__in=list(date_questions))
    for assessment in rows.only("pk", "instrument_id", "answers"):
        answers = dict(assessment.answers or {})
        for code in date_questions[assessment.instrument_id] & set(answers):
            try:
                day = dt.date.fromisoformat(str(answers[code]))
            except ValueError:
                continue
            answers[code] = day.replace(day=1).isoformat()
        if answers != assessment.answers:
            Assessment.objects.filter(pk=assessment.pk).update(answers=answers)
