"""Monitoring endpoints under /api/v1/monitoring: a case's rounds, recording contact attempts
and visits, the follow-ups list. The same actions and scoped reads as the pages: a case
outside the reader's scope is 404, a stale version 409, bad input 422 naming the field."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any, TypeAlias
from uuid import UUID

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from remis.cases.policy import groups_everywhere, groups_on_case
from remis.cases.queries import get_case_for, note_api_read
from remis.lib.api_schema import CountryFilter, InputSchema, literal_of
from remis.lib.errors import NotFound, ValidationFailed, fields_renamed
from remis.lib.paging import COUNT_CAP
from remis.monitoring import actions
from remis.monitoring.configuration import rules_history, rules_on
from remis.monitoring.models import (
    ContactChannel,
    ContactOutcome,
    FollowUp,
    FollowUpStatus,
    ScheduleRules,
    VisitMode,
)
from remis.monitoring.queries import FollowUpFilters, filter_follow_ups, rounds_of_case, state_of
from remis.programmes.queries import get_programme_for, visible_programmes

router = Router(tags=["monitoring"])

if TYPE_CHECKING:
    ChannelCode: TypeAlias = str
    OutcomeCode: TypeAlias = str
    ModeCode: TypeAlias = str
    StateCode: TypeAlias = str
    StatusCode: TypeAlias = str
else:
    ChannelCode = literal_of(ContactChannel)
    OutcomeCode = literal_of(ContactOutcome)
    ModeCode = literal_of(VisitMode)
    StatusCode = literal_of(FollowUpStatus)
    # The states, and the lists the pages and the dashboard link to: open (upcoming, in
    # window or overdue), due (in window or overdue), lost_open (lost, the case not closed).
    StateCode = literal_of(
        [
            "upcoming",
            "in_window",
            "overdue",
            "missed",
            "done",
            "stopped",
            "lost",
            "due_soon",
            "open",
            "due",
            "lost_open",
        ],
        blank=True,
    )


class ContactAttemptOut(Schema):
    attempted_on: dt.date
    channel: ChannelCode
    outcome: OutcomeCode
    note: str


class VisitOut(Schema):
    uuid: UUID
    visited_on: dt.date
    mode: ModeCode
    note: str


class RoundOut(Schema):
    case_uuid: UUID
    case_reference: str
    round: int
    months: int
    instrument: str
    due_on: dt.date
    window_start: dt.date
    window_end: dt.date
    status: StatusCode
    state: str = Field(description="upcoming, in_window, overdue, missed, done, stopped or lost, as of today")
    done_on: dt.date | None
    lost_on: dt.date | None
    attempts: list[ContactAttemptOut] | None = Field(None, description="on a case's rounds only")
    visits: list[VisitOut] | None = Field(None, description="on a case's rounds only")
    version: int


def _out(follow_up: FollowUp, today: dt.date, *, detail: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "case_uuid": follow_up.case.uuid,
        "case_reference": follow_up.case.reference,
        **{
            name: getattr(follow_up, name)
            for name in ("round", "months", "instrument", "due_on", "window_start", "window_end", "status")
        },
        "state": state_of(follow_up, today),
        "done_on": follow_up.done_on,
        "lost_on": follow_up.lost_on,
        "version": follow_up.version,
    }
    if detail:
        row["attempts"] = list(follow_up.attempts.all())
        row["visits"] = list(follow_up.visits.all())
    return row


class RoundPage(Schema):
    items: list[RoundOut]
    count: int = Field(description=f"matching rounds, counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


class RoundParams(InputSchema):  # a NUL in a text parameter reached PostgreSQL: 500
    state: StateCode = Field(
        "",
        description="a state, or a list as the pages show it: open (upcoming, in window or overdue), "
        "due (in window or overdue: the visits to carry out now), due_soon (due this week), "
        "lost_open (lost to follow-up, the case not closed); blank: every round",
    )
    country: CountryFilter = Field("", description="the case's country of origin, ISO 3166 alpha-2")
    programme: str = Field("", max_length=50, description="a programme's code")
    reference: str = Field("", max_length=40, description="the start of a case reference")
    mine: bool = Field(
        False,
        description="only the rounds I am to carry out: on cases assigned to me, or to nobody of my "
        "organisations nor of an organisation of the case's country of origin",
    )
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


class AttemptIn(InputSchema):
    attempted_on: dt.date
    channel: ChannelCode
    outcome: OutcomeCode
    note: str = Field("", max_length=actions.NOTE_MAX)
    version: int | None = Field(None, description="the round's version read; a stale one is 409")


class VisitIn(InputSchema):
    visited_on: dt.date
    mode: ModeCode
    note: str = Field("", max_length=actions.VISIT_NOTE_MAX)
    version: int | None = Field(None, description="the round's version read; a stale one is 409")
    early: bool = Field(
        False,
        description="true: dated before the round's window opens, and meant for this round "
        "(it closes the round early); without it such a date is refused, field `early`",
    )


@router.get("/follow-ups", response=RoundPage, summary="Follow-up rounds of the cases I see, by due day")
def list_rounds(request: HttpRequest, params: Query[RoundParams]) -> dict[str, Any]:
    today = timezone.localdate()
    programme = params.programme.strip()  # as the page reads it
    if programme and not visible_programmes(request.user).filter(code__iexact=programme).exists():
        # As the page refuses it: zero rounds read as "nothing due" in a programme that is not.
        raise ValidationFailed(
            _("No programme you see has the code “%(code)s”.") % {"code": programme}, "programme"
        )
    filters = FollowUpFilters(
        state=params.state,
        country=params.country,
        programme=programme,
        reference=params.reference,
        mine=params.mine,
    )
    rounds = filter_follow_ups(request.user, filters, today)
    count = rounds.count_upto(COUNT_CAP + 1)  # as the page counts them, every other list too
    rows = rounds[params.offset : params.offset + params.limit]
    return {
        "items": [_out(f, today, detail=False) for f in rows],
        "count": count,
        "count_capped": count > COUNT_CAP,
        "limit": params.limit,
        "offset": params.offset,
    }


@router.get("/cases/{case_uuid}/follow-ups", response=list[RoundOut], summary="A case's rounds")
def case_rounds(request: HttpRequest, case_uuid: UUID) -> Any:
    case = get_case_for(request.user, case_uuid)
    note_api_read(request.user, case)
    today = timezone.localdate()
    return [_out(f, today, detail=True) for f in rounds_of_case(case)]


def _round(request: HttpRequest, case_uuid: UUID, number: int) -> FollowUp:
    case = get_case_for(request.user, case_uuid)
    follow_up = FollowUp.objects.filter(case=case, round=number).select_related("case").first()
    if follow_up is None:
        raise NotFound()
    return follow_up


@router.post(
    "/cases/{case_uuid}/follow-ups/{number}/attempts",
    response={201: ContactAttemptOut},
    summary="Record a contact attempt for a round",
)
def record_attempt(request: HttpRequest, case_uuid: UUID, number: int, body: AttemptIn) -> Any:
    if not 1 <= number <= 100:
        raise Http404
    follow_up = _round(request, case_uuid, number)
    data = body.dict()
    expected = data.pop("version")
    return Status(
        201, actions.record_contact_attempt(request.user, follow_up, expected_version=expected, **data)
    )


@router.post(
    "/cases/{case_uuid}/follow-ups/{number}/visit", response={201: VisitOut}, summary="Record a round's visit"
)
def record_visit(request: HttpRequest, case_uuid: UUID, number: int, body: VisitIn) -> Any:
    if not 1 <= number <= 100:
        raise Http404
    follow_up = _round(request, case_uuid, number)
    data = body.dict()
    expected = data.pop("version")
    return Status(201, actions.record_visit(request.user, follow_up, expected_version=expected, **data))


class ScheduleRoundIn(InputSchema):
    months: int
    window_days: int
    instrument: str


class ScheduleRoundOut(ScheduleRoundIn):
    model_config = ConfigDict(extra="ignore")  # an answer: the input's refusal of extra fields is not for it

    round: int


class ScheduleOut(Schema):
    programme: str | None = Field(description="the programme's code; null for the shipped defaults")
    effective_from: dt.date
    rounds: list[ScheduleRoundOut]
    lost_after_attempts: int
    created_at: dt.datetime

    @staticmethod
    def resolve_programme(rules: ScheduleRules) -> str | None:
        return rules.programme.code if rules.programme is not None else None


class SchedulePageOut(Schema):
    in_force: ScheduleOut | None
    versions: list[ScheduleOut]


class ScheduleIn(InputSchema):
    effective_from: dt.date
    rounds: list[ScheduleRoundIn] = Field(description="in order; numbered from 1")
    lost_after_attempts: int


@router.get("/schedules/{code}", response=SchedulePageOut, summary="A programme's monitoring schedule")
def read_schedule(request: HttpRequest, code: str) -> Any:
    programme = get_programme_for(request.user, code)
    return {
        "in_force": rules_on(programme.pk, timezone.localdate()),
        "versions": list(rules_history(programme.pk).select_related("programme")),
    }


@router.post("/schedules/{code}", response={201: ScheduleOut}, summary="A new version of the schedule")
def set_schedule(request: HttpRequest, code: str, body: ScheduleIn) -> Any:
    programme = get_programme_for(request.user, code)
    # "rounds.0.months", as every other error path of the API writes a list's item (the
    # action's "rounds[0].months" is the form's).
    with fields_renamed(lambda name: re.sub(r"\[(\d+)\]", r".\1", name)):
        rules = actions.set_schedule_rules(
            request.user,
            programme,
            effective_from=body.effective_from,
            rounds=[r.dict() for r in body.rounds],
            lost_after_attempts=body.lost_after_attempts,
        )
    return Status(201, rules)


# Instruments --------------------------------------------------------------------------------


class ScoringVersionIn(InputSchema):
    version: int = Field(description="the version changed: the instrument's latest")
    dimension_weights: dict[str, float] = Field(default_factory=dict, description="by dimension code")
    indicator_weights: dict[str, float] = Field(default_factory=dict, description="by indicator code")
    band_lowers: dict[str, float] = Field(
        default_factory=dict, description="by band code, 0–100: each band's lower bound but the first's (0)"
    )


class InstrumentVersionOut(Schema):
    code: str
    version: int
    active: bool
    created_at: dt.datetime


SCORING_FIELDS = {
    "dimension_": "dimension_weights.",
    "indicator_": "indicator_weights.",
    "band_": "band_lowers.",
}


def _scoring_field(name: str) -> str:
    """The form's "dimension_economic" as the body names it: "dimension_weights.economic"."""
    for prefix, path in SCORING_FIELDS.items():
        if name.startswith(prefix):
            return path + name.removeprefix(prefix)
    return name


@router.post(
    "/instruments/{code}/versions",
    response={201: InstrumentVersionOut},
    summary="A new version of an instrument's scoring (weights, score bands); the platform operator's",
)
def new_instrument_version(request: HttpRequest, code: str, body: ScoringVersionIn) -> Any:
    from remis.monitoring.models import Instrument

    # A NUL character cannot be in any code (PostgreSQL refuses it even in a query).
    instrument = (
        None if "\x00" in code else Instrument.objects.filter(code=code, version=body.version).first()
    )
    if instrument is None:
        raise NotFound()
    with fields_renamed(_scoring_field):
        created = actions.new_scoring_version(
            request.user,
            instrument,
            dimension_weights=body.dimension_weights,
            indicator_weights=body.indicator_weights,
            band_lowers=body.band_lowers,
        )
    return Status(201, created)


# Responses ----------------------------------------------------------------------------------


class ResponseOut(Schema):
    uuid: UUID
    instrument: str
    instrument_version: int
    case_uuid: UUID | None
    sample_id: str
    round: int | None
    item_key: UUID | None = Field(description="the assistance item a satisfaction response is about")
    collected_on: dt.date
    answers: dict[str, Any] = Field(description="the answers kept: those to questions that apply")
    restricted: list[str] = Field(
        description="questions in a sensitive group the reader does not hold: their answers are left "
        "out, and so are the scores that would give them back (null): the indicators scoring them, "
        "their dimensions, the composite and the band (empty)"
    )
    indicators: dict[str, float | None]
    dimensions: dict[str, float | None] = Field(
        description="scores in [0, 1]; null when not scored, or restricted (see `restricted`)"
    )
    composite: float | None
    band: str
    source: str
    version: int = Field(description="send it back to correct the answers (PATCH)")
    corrected_at: dt.datetime | None = Field(description="when the answers were last corrected")


class ResponseIn(InputSchema):
    answers: dict[str, Any] = Field(description="question name → answer (select_multiple: a list)")
    collected_on: dt.date
    submission_id: str = Field("", max_length=128, description="a KoBo/ODK instance id: sent once")


class RoundResponseIn(ResponseIn):
    early: bool = Field(
        False,
        description="true: dated before the round's window opens, and meant for this round "
        "(it closes the round early); without it such a date is refused, field `early`",
    )


class SampleResponseIn(ResponseIn):
    instrument: str = Field(description="the instrument's code; its current version is used")
    sample_id: str = Field(description="the comparison sample's own identifier")


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _response_out(
    response: Any, groups: frozenset[str] | None = None, *, all_hidden: bool = False
) -> dict[str, Any]:
    """`groups`: the reader's sensitive groups on the case (None: all). An answer in another
    group is left out and named in `restricted`, and so is the indicator scoring it;
    `all_hidden`: every answer (a satisfaction response about an item of such a group)."""
    from remis.monitoring.response_forms import dimension_values
    from remis.monitoring.responses import definition_of, hidden_questions, masked_scores

    definition = definition_of(response.instrument)
    hidden = hidden_questions(definition, groups, every=all_hidden)
    response = masked_scores(definition, response, hidden)
    return {
        "uuid": response.uuid,
        "instrument": response.instrument.code,
        "instrument_version": response.instrument.version,
        "case_uuid": response.case.uuid if response.case else None,
        "sample_id": response.sample_id,
        "round": response.follow_up.round if response.follow_up else None,
        "item_key": response.item_key,
        "collected_on": response.collected_on,
        "answers": {k: v for k, v in response.answers.items() if k not in hidden},
        "restricted": sorted(hidden),
        "indicators": response.indicators,
        "dimensions": {
            code: _number(value) for code, _label, value in dimension_values(definition, response)
        },
        "composite": _number(response.composite),
        "band": response.band,
        "source": response.source,
        "version": response.version,
        "corrected_at": response.corrected_at,
    }


def _instrument(code: str) -> Any:
    from remis.lib.errors import ValidationFailed
    from remis.monitoring.responses import current_instrument

    # A NUL character cannot be in any code (PostgreSQL refuses it even in a query).
    instrument = current_instrument(code) if "\x00" not in code else None
    if instrument is None:
        raise ValidationFailed(_("No instrument has this code."), "instrument")
    return instrument


@router.post(
    "/cases/{case_uuid}/follow-ups/{number}/responses",
    response={201: ResponseOut},
    summary="Record the answers of a round (its instrument's current version), scored",
)
def record_round_response(request: HttpRequest, case_uuid: UUID, number: int, body: RoundResponseIn) -> Any:
    from remis.monitoring.models import ResponseSource
    from remis.monitoring.responses import record_response

    if not 1 <= number <= 100:
        raise Http404
    follow_up = _round(request, case_uuid, number)
    response = record_response(
        request.user,
        _instrument(follow_up.instrument),
        answers=body.answers,
        collected_on=body.collected_on,
        follow_up=follow_up,
        source=ResponseSource.API,
        submission_id=body.submission_id,
        early=body.early,
    )
    return Status(201, _response_out(response, groups_on_case(request.user, follow_up.case)))


@router.post(
    "/samples/responses",
    response={201: ResponseOut},
    summary="Record a comparison sample's answers (no case: non-assisted returnees, local population)",
)
def record_sample_response(request: HttpRequest, body: SampleResponseIn) -> Any:
    from remis.monitoring.models import ResponseSource
    from remis.monitoring.responses import record_response

    response = record_response(
        request.user,
        _instrument(body.instrument),
        answers=body.answers,
        collected_on=body.collected_on,
        sample_id=body.sample_id,
        source=ResponseSource.API,
        submission_id=body.submission_id,
    )
    return Status(201, _response_out(response, groups_everywhere(request.user)))


class SatisfactionIn(ResponseIn):
    item_key: UUID = Field(description="the assistance item of the case's plan the answers are about")


@router.post(
    "/cases/{case_uuid}/satisfaction",
    response={201: ResponseOut},
    summary="Record a returnee's satisfaction with one item of their plan (the current version), scored",
)
def record_satisfaction(request: HttpRequest, case_uuid: UUID, body: SatisfactionIn) -> Any:
    from remis.monitoring.configuration import SATISFACTION
    from remis.monitoring.models import ResponseSource
    from remis.monitoring.responses import record_response

    case = get_case_for(request.user, case_uuid)
    response = record_response(
        request.user,
        _instrument(SATISFACTION),
        answers=body.answers,
        collected_on=body.collected_on,
        case=case,
        item_key=body.item_key,
        source=ResponseSource.API,
        submission_id=body.submission_id,
    )
    return Status(201, _response_out(response, groups_on_case(request.user, case)))


class CorrectionIn(InputSchema):
    version: int = Field(
        description="the response's version as read: someone else's correction since is a 409"
    )
    answers: dict[str, Any] = Field(description="every answer as it should be (select_multiple: a list)")
    reason: str = Field(max_length=500, description="why the answers are corrected (kept in the audit log)")


@router.patch(
    "/cases/{case_uuid}/responses/{response_uuid}",
    response=ResponseOut,
    summary="Correct a recorded response's answers (the day, round and item stay), scored again",
)
def correct_response(request: HttpRequest, case_uuid: UUID, response_uuid: UUID, body: CorrectionIn) -> Any:
    from remis.monitoring.queries import case_response

    case = get_case_for(request.user, case_uuid)
    response = case_response(case, response_uuid)
    if response is None:
        raise NotFound()
    corrected = actions.correct_response(
        request.user, response.pk, expected_version=body.version, answers=body.answers, reason=body.reason
    )
    return _response_out(corrected, groups_on_case(request.user, case))


@router.get(
    "/cases/{case_uuid}/responses",
    response=list[ResponseOut],
    summary="A case's responses with their scores, oldest first (reintegration and satisfaction)",
)
def case_responses(request: HttpRequest, case_uuid: UUID) -> Any:
    from remis.monitoring.models import Response

    case = get_case_for(request.user, case_uuid)
    note_api_read(request.user, case)
    rows = (
        Response.objects.filter(case=case)
        .select_related("instrument", "case", "follow_up")
        .order_by("collected_on", "id")
    )
    from remis.monitoring.responses import item_keys

    groups = groups_on_case(request.user, case)
    seen = item_keys(case, groups)
    return [
        _response_out(r, groups, all_hidden=r.item_key is not None and r.item_key not in seen) for r in rows
    ]
