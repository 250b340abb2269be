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


def band_label(instrument: Any, code: str) -> str:
    from remis.monitoring.response_forms import language
    from remis.monitoring.responses import definition_of

    for band in definition_of(instrument).bands:
        if band.code == code:
            return str(band.label.get(language()))
    return code


def monitoring_tables(request: SubjectRequest) -> list[Table]:
    from remis.monitoring.models import ContactAttempt, FollowUp, Response, Visit
    from remis.monitoring.response_forms import points_value
    from remis.monitoring.responses import title_of

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
                (_("Questionnaire"), lambda r: title_of(r.instrument)),
                (_("Version"), lambda r: r.instrument.version),
                # 0–100 with one decimal and the band's name, as the case page reads them.
                (_("Economic"), lambda r: points_value(r.economic)),
                (_("Social"), lambda r: points_value(r.social)),
                (_("Psychosocial"), lambda r: points_value(r.psychosocial)),
                (_("Composite score"), lambda r: points_value(r.composite)),
                (_("Band"), lambda r: band_label(r.instrument, r.band)),
            ],
        ),
    ]


def _answers(responses: list[Any]) -> Table:
    from remis.monitoring.exports import _read
    from remis.monitoring.responses import definition_of, title_of

    language = translation.get_language() or "en"
    table = Table(
        _("Follow-up answers"),
        [_("Case"), _("Collected on"), _("Questionnaire"), _("Question"), _("Answer")],
    )
    for response in responses:
        reading = _read(definition_of(response.instrument), language, None)  # the person reads all their own
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
                    title_of(response.instrument),
                    question.label.get(language),
                    text,
                ]
            )
    return table
