"""A person's assessments, for their subject access export (`remis/audit/subject_access.py`;
registered in `AssessmentsConfig.ready`): every answer of the assessments of the cases they
are the principal applicant of, read as the case page reads them, every group shown (the
export is only produced by someone holding them all)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from remis.audit.subject_access import SubjectRequest
from remis.lib.tables import Table, cell


def assessment_tables(request: SubjectRequest) -> list[Table]:
    from remis.assessments.answers import Form, shown_answers
    from remis.assessments.models import Assessment
    from remis.cases.policy import ALL_GROUPS

    table = Table(
        _("Assessments"),
        [
            _("Case"),
            _("Assessment"),
            _("Assessed on"),
            _("Status"),
            _("Dimension"),
            _("Question"),
            _("Answer"),
        ],
    )
    assessments = (
        Assessment.objects.filter(case_id__in=request.principal_case_ids)
        .select_related("case", "instrument")
        .order_by("case_id", "assessed_on", "id")
    )
    for assessment in assessments:
        head: list[Any] = [
            assessment.case.reference,
            str(assessment.instrument),
            cell(assessment.assessed_on),
            assessment.get_status_display(),
        ]
        for dimension in shown_answers(Form.of(assessment.instrument), assessment.answers, ALL_GROUPS):
            for answer in dimension.answers:
                if answer.text:
                    table.rows.append([*head, dimension.label, str(answer.question.text), answer.text])
    return [table]
