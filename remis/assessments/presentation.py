"""What the pages and the case panel show of an assessment, for one reader."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from remis.assessments.answers import DimensionSummary, Form, shown_answers
from remis.assessments.models import Assessment, FlagDecision
from remis.cases.policy import Groups, shows
from remis.lib.dates import day_format


@dataclass
class ShownFlag:
    label: str  # "" when restricted
    code: str
    decision: str
    decision_label: str
    decided_by: Any
    decided_at: Any
    restricted: bool
    pending: bool


@dataclass
class AssessmentView:
    assessment: Assessment
    dimensions: list[DimensionSummary]
    flags: list[ShownFlag]

    @property
    def pending_flags(self) -> list[ShownFlag]:
        return [f for f in self.flags if f.pending and not f.restricted]


def assessment_view(assessment: Assessment, groups: Groups) -> AssessmentView:
    form = Form.of(assessment.instrument)
    flags = []
    for flag in assessment.flags.select_related("vulnerability", "decided_by"):
        readable = shows(groups, flag.vulnerability.sensitive_group)
        flags.append(
            ShownFlag(
                label=flag.vulnerability.label if readable else "",
                code=flag.vulnerability.code if readable else "",
                decision=flag.decision,
                decision_label=str(FlagDecision(flag.decision).label),
                decided_by=flag.decided_by,
                decided_at=flag.decided_at,
                restricted=not readable,
                pending=flag.decision == FlagDecision.PENDING,
            )
        )
    days = day_format(assessment.case.anonymised_at)
    return AssessmentView(assessment, shown_answers(form, assessment.answers, groups, days), flags)
