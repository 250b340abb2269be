"""Assessment endpoints under /api/v1: instruments with their versions and questions, and
the assessments of a case (list, read, create or save a draft, complete, confirm flags),
through the same queries and actions as the pages. An answer in a sensitive group the
token owner does not hold on the case is null and its question listed in `restricted`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from remis.accounts.permissions import Perm
from remis.assessments import actions
from remis.assessments.answers import Form
from remis.assessments.models import (
    Assessment,
    AssessmentStatus,
    Dimension,
    FlagDecision,
    Instrument,
    InstrumentStatus,
    Level,
    QuestionType,
)
from remis.assessments.queries import (
    assessments_of,
    case_for,
    get_assessment_for,
    get_instrument,
    instruments,
)
from remis.cases.policy import groups_on_case, shows
from remis.cases.queries import note_api_read
from remis.lib.api_schema import InputSchema, literal_of

router = Router(tags=["assessments"])


class ChoiceOut(Schema):
    code: str
    label: str
    labels: dict[str, str]
    need: bool


class QuestionOut(Schema):
    code: str
    label: str
    labels: dict[str, str]
    type: literal_of(QuestionType)  # type: ignore[valid-type]
    required: bool
    dimension: literal_of(Dimension)  # type: ignore[valid-type]
    level: literal_of(Level)  # type: ignore[valid-type]
    sensitive_group: str = Field(description="the sensitive field group protecting the answer, or empty")
    min_value: Decimal | None
    max_value: Decimal | None
    choices: list[ChoiceOut]


class RuleOut(Schema):
    question: str
    any_of: list[str]
    at_least: Decimal | None
    flag: str = Field(description="the vulnerability code proposed")


class InstrumentOut(Schema):
    code: str
    version: int
    name: str
    names: dict[str, str]
    status: literal_of(InstrumentStatus)  # type: ignore[valid-type]
    effective_from: dt.date
    effective_to: dt.date | None


class InstrumentDetailOut(InstrumentOut):
    questions: list[QuestionOut]
    rules: list[RuleOut]


class DimensionOut(Schema):
    dimension: literal_of(Dimension)  # type: ignore[valid-type]
    answered: int
    asked: int
    needs: list[str] = Field(description="codes of the questions whose answers show a need")
    restricted_needs: int = Field(description="needs in answers withheld from you")


class FlagOut(Schema):
    vulnerability: str | None = Field(description="the vulnerability code; null when withheld")
    decision: literal_of(FlagDecision)  # type: ignore[valid-type]
    decided_by: str | None
    decided_at: dt.datetime | None
    restricted: bool


class AssessmentOut(Schema):
    uuid: UUID
    case: UUID
    instrument: str
    instrument_version: int
    status: literal_of(AssessmentStatus)  # type: ignore[valid-type]
    assessed_on: dt.date
    answers: dict[str, Any] = Field(description="by question code; null when withheld (see `restricted`)")
    restricted: list[str] = Field(description="questions whose answers are withheld from you")
    dimensions: list[DimensionOut]
    flags: list[FlagOut]
    revises: UUID | None
    created_by: str
    created_at: dt.datetime
    completed_by: str | None
    completed_at: dt.datetime | None
    version: int


class AssessmentIn(InputSchema):
    answers: dict[str, Any] = Field(description="by question code; leave out unanswered questions")
    assessed_on: dt.date | None = None
    complete: bool = Field(False, description="complete at once (needs every required answer)")


class AssessmentUpdateIn(AssessmentIn):
    version: int = Field(description="the version you read")


class CompleteIn(InputSchema):
    version: int


class FlagsIn(InputSchema):
    version: int
    confirmed: list[str] = Field(
        description="codes of the proposed flags to confirm; the others are declined"
    )


def _instrument(instrument: Instrument, detail: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": instrument.code,
        "version": instrument.version,
        "name": instrument.name,
        "names": instrument.names,
        "status": instrument.status,
        "effective_from": instrument.effective_from,
        "effective_to": instrument.effective_to,
    }
    if detail:
        form = Form.of(instrument)
        out["questions"] = [
            {
                "code": q.code,
                "label": q.label,
                "labels": q.labels,
                "type": q.kind,
                "required": q.required,
                "dimension": q.dimension,
                "level": q.level,
                "sensitive_group": q.sensitive_group,
                "min_value": q.min_value,
                "max_value": q.max_value,
                "choices": [
                    {"code": c.code, "label": c.label, "labels": c.labels, "need": c.need}
                    for c in form.choices[q.code]
                ],
            }
            for q in form.questions
        ]
        out["rules"] = [
            {
                "question": r.question.code,
                "any_of": r.any_of,
                "at_least": r.at_least,
                "flag": r.vulnerability.code,
            }
            for r in form.rules
        ]
    return out


def _assessment(request: HttpRequest, assessment: Assessment) -> dict[str, Any]:
    from remis.assessments.answers import shown_answers

    groups = groups_on_case(request.user, assessment.case)
    form = Form.of(assessment.instrument)
    readable = {q.code for q in form.questions if shows(groups, q.sensitive_group)}
    summaries = shown_answers(form, assessment.answers, groups)
    flags = []
    for flag in assessment.flags.select_related("vulnerability", "decided_by"):
        shown = shows(groups, flag.vulnerability.sensitive_group)
        flags.append(
            {
                "vulnerability": flag.vulnerability.code if shown else None,
                "decision": flag.decision,
                "decided_by": flag.decided_by.username if flag.decided_by else None,
                "decided_at": flag.decided_at,
                "restricted": not shown,
            }
        )
    return {
        "uuid": assessment.uuid,
        "case": assessment.case.uuid,
        "instrument": assessment.instrument.code,
        "instrument_version": assessment.instrument.version,
        "status": assessment.status,
        "assessed_on": assessment.assessed_on,
        "answers": {k: (v if k in readable else None) for k, v in assessment.answers.items()},
        "restricted": sorted(k for k in assessment.answers if k not in readable),
        "dimensions": [
            {
                "dimension": s.code,
                "answered": s.answered,
                "asked": s.asked,
                "needs": [a.question.code for a in s.answers if a.need],
                "restricted_needs": s.restricted_needs,
            }
            for s in summaries
        ],
        "flags": flags,
        "revises": assessment.revises.uuid if assessment.revises else None,
        "created_by": assessment.created_by.username,
        "created_at": assessment.created_at,
        "completed_by": assessment.completed_by.username if assessment.completed_by else None,
        "completed_at": assessment.completed_at,
        "version": assessment.version,
    }


@router.get("/assessments/instruments", response=list[InstrumentOut], summary="Every instrument version")
def list_instruments(request: HttpRequest) -> list[dict[str, Any]]:
    return [_instrument(i, detail=False) for i in instruments()]


@router.get(
    "/assessments/instruments/{code}/{version}",
    response=InstrumentDetailOut,
    summary="One instrument version with its questions, choices and flag rules",
)
def read_instrument(request: HttpRequest, code: str, version: int) -> dict[str, Any]:
    return _instrument(get_instrument(code, version), detail=True)


@router.get("/cases/{case_uuid}/assessments", response=list[AssessmentOut], summary="A case's assessments")
def list_assessments(request: HttpRequest, case_uuid: UUID) -> list[dict[str, Any]]:
    case = case_for(request.user, case_uuid)
    note_api_read(request.user, case)
    return [_assessment(request, a) for a in assessments_of(case).select_related("case", "revises")]


@router.post(
    "/cases/{case_uuid}/assessments",
    response={201: AssessmentOut},
    summary="Record an assessment (a draft, or completed at once)",
)
def create_assessment(request: HttpRequest, case_uuid: UUID, body: AssessmentIn) -> Any:
    case = case_for(request.user, case_uuid)
    assessment = actions.record_assessment(
        request.user, case, body.answers, assessed_on=body.assessed_on, complete=body.complete
    )
    return Status(201, _assessment(request, assessment))


@router.get("/assessments/{assessment_uuid}", response=AssessmentOut, summary="One assessment")
def read_assessment(request: HttpRequest, assessment_uuid: UUID) -> dict[str, Any]:
    assessment = get_assessment_for(request.user, assessment_uuid)
    note_api_read(request.user, assessment.case)
    return _assessment(request, assessment)


@router.put("/assessments/{assessment_uuid}", response=AssessmentOut, summary="Change a draft's answers")
def update_assessment(
    request: HttpRequest, assessment_uuid: UUID, body: AssessmentUpdateIn
) -> dict[str, Any]:
    assessment = get_assessment_for(request.user, assessment_uuid)
    actions.save_assessment(
        request.user,
        assessment,
        body.answers,
        expected_version=body.version,
        assessed_on=body.assessed_on,
        complete=body.complete,
    )
    return _assessment(request, assessment)


@router.post(
    "/assessments/{assessment_uuid}/complete", response=AssessmentOut, summary="Complete a draft as it is"
)
def complete_assessment(request: HttpRequest, assessment_uuid: UUID, body: CompleteIn) -> dict[str, Any]:
    assessment = get_assessment_for(request.user, assessment_uuid, Perm.ASSESSMENT_RECORD)
    groups = groups_on_case(request.user, assessment.case)
    readable = {q.code for q in assessment.instrument.questions.all() if shows(groups, q.sensitive_group)}
    answers = {k: v for k, v in assessment.answers.items() if k in readable}
    actions.save_assessment(request.user, assessment, answers, expected_version=body.version, complete=True)
    return _assessment(request, assessment)


@router.post(
    "/assessments/{assessment_uuid}/flags",
    response=AssessmentOut,
    summary="Confirm proposed flags (set on the case); the others are not confirmed",
)
def decide_flags(request: HttpRequest, assessment_uuid: UUID, body: FlagsIn) -> dict[str, Any]:
    assessment = get_assessment_for(request.user, assessment_uuid)
    actions.confirm_flags(request.user, assessment, body.confirmed, expected_version=body.version)
    return _assessment(request, assessment)
