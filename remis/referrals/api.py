"""Referral endpoints under /api/v1/referrals: the same actions and scoped reads as the
pages. Outside the reader's scope (case side or provider side) is 404; an answer made from
an outdated read, or losing to a concurrent one, is 409."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from remis.audit.models import ReadChannel
from remis.cases.policy import groups_everywhere, groups_on_case
from remis.cases.queries import get_case_for, note_opened
from remis.lib.api_schema import InputSchema, PageParams, RecordId, literal_of, page_out
from remis.lib.countries import is_country
from remis.lib.errors import DomainError, ErrorCode, NotFound, ValidationFailed, fields_renamed
from remis.lib.paging import COUNT_CAP
from remis.programmes.queries import get_programme_for
from remis.referrals import actions
from remis.referrals.configuration import rules_history, rules_on
from remis.referrals.models import ANSWERS, Outcome, Referral, ReferralRules
from remis.referrals.models import Status as ReferralStatus
from remis.referrals.queries import (
    CASE_SIDE,
    FunnelFilters,
    case_side,
    default_side,
    funnel,
    get_item_for,
    get_referral_for,
    provider_side,
    shared_rows,
    shown_item_type,
    withdrawn_from_provider,
    withdrawn_sentence,
)
from remis.services.models import Provider

router = Router(tags=["referrals"])

if TYPE_CHECKING:
    StatusCode: TypeAlias = str
    OutcomeCode: TypeAlias = str
    SideCode: TypeAlias = str
    AnswerCode: TypeAlias = str
else:
    StatusCode = literal_of(ReferralStatus)
    OutcomeCode = literal_of(Outcome, blank=True)
    SideCode = literal_of(["case", "provider"])
    AnswerCode = literal_of(ANSWERS)


class SharedOut(Schema):
    field: str
    label: str
    value: str | None = Field(
        description="null: the consent no longer covers this field's group, or the reader does not hold it"
    )


class ReferralOut(Schema):
    uuid: UUID
    case_uuid: UUID | None = Field(description="null on the provider side: providers never see the case")
    case_reference: str
    provider: UUID
    provider_name: str
    item_type: str | None = Field(
        description="the assistance type's code; null where the reader may not know it: held back "
        "from the provider, no longer covered by the consent, or of a sensitive group the reader "
        "does not hold"
    )
    status: StatusCode
    sent_at: dt.datetime
    due_on: dt.date
    overdue: bool
    answered_at: dt.datetime | None
    started_at: dt.datetime | None
    closed_at: dt.datetime | None
    decline_reason: str
    outcome: OutcomeCode
    outcome_on: dt.date | None
    outcome_note: str
    cancel_reason: str
    on_behalf: bool = Field(description="the last answer was recorded by a case worker for the provider")
    shared: list[SharedOut]
    withheld: list[str] | None = Field(description="fields held back from the provider (case side only)")
    version: int


def _out(referral: Referral, side: str, groups: frozenset[str] | None = None) -> dict[str, Any]:
    """`groups`: the case-side reader's sensitive groups (a value of another reads null)."""
    case = side == CASE_SIDE
    rows = shared_rows(referral, groups if case else None)
    return {
        "uuid": referral.uuid,
        "case_uuid": referral.case.uuid if case else None,
        "case_reference": referral.case.reference if case else referral.shared_reference,
        "provider": referral.provider.uuid,
        "provider_name": referral.provider.name,
        "item_type": shown_item_type(referral, rows, case, groups),
        "status": referral.status,
        "sent_at": referral.sent_at,
        "due_on": referral.due_on,
        "overdue": referral.overdue,
        "answered_at": referral.answered_at,
        "started_at": referral.started_at,
        "closed_at": referral.closed_at,
        "decline_reason": referral.decline_reason,
        "outcome": referral.outcome,
        "outcome_on": referral.outcome_on,
        "outcome_note": referral.outcome_note,
        "cancel_reason": referral.cancel_reason,
        "on_behalf": referral.last_on_behalf,
        "shared": [
            {"field": r.field, "label": r.label, "value": None if r.withdrawn or r.restricted else r.value}
            for r in rows
        ],
        "withheld": list(referral.withheld) if case else None,
        "version": referral.version,
    }


def _read(request: HttpRequest, referral_uuid: UUID) -> dict[str, Any]:
    referral, side = _referral_for(request, referral_uuid)
    groups = groups_on_case(request.user, referral.case) if side == CASE_SIDE else None
    if side == CASE_SIDE and request.method == "GET":  # a provider reads what was sent, not the case
        note_opened(request.user, referral.case, ReadChannel.API, groups)
    return _out(referral, side, groups)


class ReferralWithdrawn(DomainError):
    """A referral taken out of the provider's view: 410 Gone with the page's words (a
    provider's script read 404 "Not found.", as for a referral never sent to it)."""

    code = ErrorCode.GONE


def _referral_for(request: HttpRequest, referral_uuid: UUID) -> tuple[Referral, str]:
    try:
        return get_referral_for(request.user, referral_uuid)
    except NotFound:
        cause = withdrawn_from_provider(request.user, referral_uuid)
        if cause is None:
            raise
        raise ReferralWithdrawn(withdrawn_sentence(cause)) from None


class ReferIn(InputSchema):
    case: UUID
    item_id: RecordId
    provider: UUID
    message: str = Field("", max_length=actions.MESSAGE_MAX)


class ReferralAnswerIn(InputSchema):
    status: AnswerCode
    reason: str = Field("", max_length=actions.REASON_MAX, description="with `declined` only")
    outcome: OutcomeCode = ""
    outcome_on: dt.date | None = None
    note: str = Field("", max_length=actions.REASON_MAX)
    version: int | None = Field(None, description="the version read; a stale one is 409")


class CancelIn(InputSchema):
    reason: str = Field(max_length=actions.REASON_MAX)
    version: int | None = None


class FunnelOut(Schema):
    provider: str
    service: str
    country: str
    referred: int
    accepted: int
    completed: int
    successful: int
    accepted_rate: Decimal | None
    completed_rate: Decimal | None
    successful_rate: Decimal | None


@router.post("", response={201: ReferralOut}, summary="Refer an item of the plan in force to a provider")
def create_referral(request: HttpRequest, body: ReferIn) -> Any:
    case = get_case_for(request.user, body.case)
    try:
        item = get_item_for(request.user, case, body.item_id)
    except NotFound:
        # The case is the reader's: naming the field says only that it holds no such item.
        raise ValidationFailed(_("Choose an item of this case’s plan."), "item_id") from None
    provider = Provider.objects.filter(uuid=body.provider).first()
    if provider is None:  # the directory is public to every user: no existence leak
        raise ValidationFailed(_("Choose a provider from the directory."), "provider")
    with fields_renamed({"item": "item_id"}):
        referral = actions.refer_item(request.user, item, provider, message=body.message)
    return Status(201, _read(request, referral.uuid))


class ReferralListParams(PageParams):
    side: SideCode | None = Field(
        None,
        description="`case`: referrals of the cases the reader sees; `provider`: those sent to the "
        "reader's organisation. Default: `provider` for a reader who answers referrals and sees "
        "no case, else `case`",
    )
    status: StatusCode | None = None
    case: UUID | None = Field(None, description="only this case's (case side)")


class ReferralPage(Schema):
    items: list[ReferralOut]
    count: int = Field(description=f"matching referrals, counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


@router.get("", response=ReferralPage, summary="Referrals: of visible cases, or sent to my organisation")
def list_referrals(request: HttpRequest, params: Query[ReferralListParams]) -> Any:
    side = params.side or default_side(request.user)
    referrals = case_side(request.user) if side == CASE_SIDE else provider_side(request.user)
    if params.status:
        referrals = referrals.filter(status=params.status)
    if params.case:
        referrals = referrals.filter(case__uuid=params.case)
    groups = groups_everywhere(request.user)  # a list shows what every case would show
    return page_out(
        referrals.order_by("-sent_at", "-id"), params.limit, params.offset, lambda r: _out(r, side, groups)
    )


@router.get("/funnel", response=list[FunnelOut], summary="Referred → accepted → completed → successful")
def read_funnel(
    request: HttpRequest,
    since: dt.date | None = None,
    until: dt.date | None = None,
    country: str = "",
    provider: UUID | None = None,
) -> Any:
    if country and not is_country(country.upper()):  # also keeps a NUL byte from PostgreSQL
        raise ValidationFailed(_("Choose a country from the list."), "country")
    if since and until and until < since:  # as the page refuses it: an empty list read as no referral
        raise ValidationFailed(_("The last day comes before the first."), "until")
    rows = funnel(request.user, FunnelFilters(since, until, country.upper(), provider))
    return [
        {
            **{k: getattr(r, k) for k in ("provider", "service", "country", "referred", "accepted")},
            "completed": r.completed,
            "successful": r.successful,
            "accepted_rate": r.accepted_rate,
            "completed_rate": r.completed_rate,
            "successful_rate": r.successful_rate,
        }
        for r in rows
    ]


class RulesOut(Schema):
    id: int = Field(description="the version's id: send the newest you read as `seen_latest`")
    programme: str | None = Field(description="the programme's code; null for the shipped defaults")
    effective_from: dt.date
    overdue_days: int
    created_at: dt.datetime

    @staticmethod
    def resolve_programme(rules: ReferralRules) -> str | None:
        return rules.programme.code if rules.programme is not None else None


class RulesPageOut(Schema):
    in_force: RulesOut | None
    versions: list[RulesOut]


class RulesIn(InputSchema):
    effective_from: dt.date
    overdue_days: int = Field(description="1 to 365")
    seen_latest: int | None = Field(
        None,
        ge=0,
        le=2**63 - 1,
        description="the id of the newest version you read (0: none); a version recorded since is a 409",
    )


@router.get(
    "/rules/{code}", response=RulesPageOut, summary="A programme's referral rules: in force and every version"
)
def read_rules(request: HttpRequest, code: str) -> Any:
    programme = get_programme_for(request.user, code)
    return {
        "in_force": rules_on(programme.pk, timezone.localdate()),
        "versions": list(rules_history(programme.pk).select_related("programme")),
    }


@router.post(
    "/rules/{code}", response={201: RulesOut}, summary="A new version of a programme's referral rules"
)
def set_rules(request: HttpRequest, code: str, body: RulesIn) -> Any:
    programme = get_programme_for(request.user, code)
    return Status(201, actions.set_referral_rules(request.user, programme, **body.dict()))


@router.get("/{referral_uuid}", response=ReferralOut)
def read_referral(request: HttpRequest, referral_uuid: UUID) -> Any:
    return _read(request, referral_uuid)


@router.post(
    "/{referral_uuid}/answer", response=ReferralOut, summary="The provider's answer (or on its behalf)"
)
def answer(request: HttpRequest, referral_uuid: UUID, body: ReferralAnswerIn) -> Any:
    referral, _side = _referral_for(request, referral_uuid)
    actions.answer_referral(
        request.user,
        referral,
        body.status,
        expected_version=body.version,
        reason=body.reason,
        outcome=body.outcome,
        outcome_on=body.outcome_on,
        note=body.note,
    )
    return _read(request, referral_uuid)


@router.post("/{referral_uuid}/cancel", response=ReferralOut, summary="Cancel an open referral")
def cancel(request: HttpRequest, referral_uuid: UUID, body: CancelIn) -> Any:
    referral, _side = get_referral_for(request.user, referral_uuid)
    actions.cancel_referral(request.user, referral, reason=body.reason, expected_version=body.version)
    return _read(request, referral_uuid)
