"""A person's follow-up monitoring, for their subject access export
(`remis/audit/subject_access.py`; registered in `MonitoringConfig.ready`): the rounds
scheduled, every contact attempt and visit, every answer they gave (one row per question,
as the monitoring export reads it) and the scores computed from them."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from remis.audit.subject_access import SubjectRequest
from remis.lib.tables import Table, cell, model_table


def monitoring_tables(request: SubjectRequest) -> list[Table]:
    from remis.monitoring.models import ContactAttempt, FollowUp, Response, Visit

    own = request.principal_case_ids
    reference = (_("Case"), lambda r: r.case.reference)
    responses = list(
        Response.objects.filter(case_id__in=own)
        .select_related("case", "instrument")
        .order_by("case_id", "collected_on", "id")
    )
    return [
        model_table(
            _("Follow-up rounds"),
            FollowUp,
            FollowUp.objects.filter(case_id__in=own).select_related("case").order_by("case_id", "round"),
            [
                reference,
                "round",
                "months",
                "due_on",
                "window_start",
                "window_end",
                "status",
                "done_on",
                "lost_on",
            ],
        ),
        model_table(
            _("Contact attempts"),
            ContactAttempt,
            ContactAttempt.objects.filter(case_id__in=own)
            .select_related("case")
            .order_by("case_id", "attempted_on"),
            [reference, "attempted_on", "channel", "outcome", "note"],
        ),
        model_table(
            _("Follow-up visits"),
            Visit,
            Visit.objects.filter(case_id__in=own).select_related("case").order_by("case_id", "visited_on"),
            [reference, "visited_on", "mode", "note"],
        ),
        _answers(responses),
        model_table(
            _("Reintegration scores"),
            Response,
            responses,
            [
                reference,
                "collected_on",
                (_("Questionnaire"), lambda r: r.instrument.title),
                (_("Version"), lambda r: r.instrument.version),
                (_("Economic"), lambda r: r.economic),
                (_("Social"), lambda r: r.social),
                (_("Psychosocial"), lambda r: r.psychosocial),
                (_("Composite score"), lambda r: r.composite),
                (_("Band"), lambda r: r.band),
            ],
        ),
    ]


def _answers(responses: list[Any]) -> Table:
    from remis.monitoring.exports import _read
    from remis.monitoring.responses import definition_of

    language = translation.get_language() or "en"
    table = Table(
        _("Follow-up answers"),
        [_("Case"), _("Collected on"), _("Questionnaire"), _("Question"), _("Answer")],
    )
    for response in responses:
        reading = _read(definition_of(response.instrument), language)
        for question in reading.definition.questions:
            if question.name not in response.answers:
                continue  # not asked (relevance) or left empty
            answer = response.answers[question.name]
            choices = reading.labels.get(question.choice_list or "", {})
            values = answer if isinstance(answer, list) else [answer]
            text = "; ".join(str(choices.get(str(v)) or v) for v in values)
            table.rows.append(
                [
                    response.case.reference,
                    cell(response.collected_on),
                    response.instrument.title,
                    question.label.get(language),
                    text,
                ]
            )
    return table
