"""Plan endpoints under /api/v1/plans: the same actions and scoped reads as the pages.
A case the token owner cannot see is 404; an edit from an outdated read is 409."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from remis.accounts.permissions import Perm
from remis.assistance import actions
from remis.assistance.models import (
    AssistanceItem,
    Dimension,
    ExchangeRate,
    Goal,
    Instalment,
    ItemStatus,
    Level,
    Modality,
    PlanStatus,
    PlanVersion,
    Route,
    plain_rate,
)
from remis.assistance.queries import (
    Money,
    budget_of,
    budget_totals,
    decisions_of,
    get_item_for,
    get_version_for,
    items_with_paid,
    mask_needs,
    plan_of,
    versions_of,
)
from remis.cases.policy import groups_on_case
from remis.cases.queries import get_case_for, note_api_read
from remis.lib.api_schema import InputSchema, PageParams, literal_of, page_out
from remis.lib.errors import Duplicate, NotFound, ValidationFailed
from remis.lib.money import currency_hint, payable_currency
from remis.lib.paging import COUNT_CAP

router = Router(tags=["plans"])

if TYPE_CHECKING:
    DimensionCode: TypeAlias = str
    LevelCode: TypeAlias = str
    ModalityCode: TypeAlias = str
    RouteCode: TypeAlias = str
    ItemStatusCode: TypeAlias = str
    PlanStatusCode: TypeAlias = str
else:
    DimensionCode = literal_of(Dimension)
    LevelCode = literal_of(Level)
    ModalityCode = literal_of(Modality)
    RouteCode = literal_of(Route)
    ItemStatusCode = literal_of(ItemStatus)
    PlanStatusCode = literal_of(PlanStatus)


class PlanItemOut(Schema):
    id: int
    key: uuid.UUID
    goal_id: int
    kind: str | None = Field(
        description="null when the type is in a sensitive group the reader does not hold"
    )
    description: str
    level: LevelCode
    modality: ModalityCode
    route: RouteCode
    amount: Decimal
    currency: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    status: ItemStatusCode
    cancel_reason: str
    paid: Decimal


class GoalOut(Schema):
    id: int
    description: str


class NeedOut(Schema):
    id: int
    dimension: DimensionCode | None = Field(description="null when `restricted`")
    description: str = Field(description="blank when `restricted`, and so are its goals'")
    goals: list[GoalOut]
    restricted: bool = Field(
        description="the need is in a sensitive group you do not hold (a psychosocial need: psychosocial)"
    )


class DecisionOut(Schema):
    decision: str
    by: str
    at: dt.datetime
    comment: str
    as_manager: bool
    total: Decimal
    reporting_currency: str
    level: int
    thresholds_id: int
    settings_id: int | None


class VersionOut(Schema):
    number: int
    status: PlanStatusCode
    version: int = Field(description="send it back with an edit: a newer one answers 409")
    reason: str
    agreed_on: dt.date | None
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    needs: list[NeedOut]
    items: list[PlanItemOut]
    decisions: list[DecisionOut]


class VersionSummary(Schema):
    number: int
    status: PlanStatusCode


class MoneyOut(Schema):
    by_currency: dict[str, Decimal]
    reporting: Decimal | None = Field(description="null while an exchange rate is missing")
    missing_rates: list[str] = Field(description="CUR→CUR YYYY-MM of each missing rate")


class BudgetOut(Schema):
    reporting_currency: str
    package: Decimal
    planned: MoneyOut
    approved: MoneyOut
    disbursed: MoneyOut


class PlanOut(Schema):
    case: uuid.UUID
    in_force: int | None
    latest: int
    versions: list[VersionSummary]
    budget: BudgetOut


class Versioned(InputSchema):
    version: int = Field(description="the plan version's `version` you read")


class NeedIn(Versioned):
    dimension: DimensionCode
    description: str = Field(min_length=1, max_length=500)


class GoalIn(Versioned):
    description: str = Field(min_length=1, max_length=500)


class PlanItemIn(Versioned):
    kind: str
    modality: ModalityCode
    amount: Decimal
    currency: str
    level: LevelCode = "individual"
    route: RouteCode = "direct"
    description: str = Field("", max_length=500)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None

    def to_data(self) -> actions.ItemData:
        return actions.ItemData(
            kind=self.kind,
            modality=self.modality,
            amount=self.amount,
            currency=self.currency,
            level=self.level,
            route=self.route,
            description=self.description,
            starts_on=self.starts_on,
            ends_on=self.ends_on,
        )


class ItemItemIn(PlanItemIn):
    goal_id: int


class DecisionIn(Versioned):
    comment: str = Field("", max_length=1000)


class NewVersionIn(InputSchema):
    reason: str = Field(min_length=1, max_length=500)


class ItemStatusIn(InputSchema):
    status: ItemStatusCode
    reason: str = Field("", max_length=500)


class InstalmentIn(InputSchema):
    paid_on: dt.date
    amount: Decimal
    currency: str
    request_id: uuid.UUID | None = Field(
        None,
        description="a UUID the client draws once per payment and sends again when it retries: "
        "sent again with the same values, the payment recorded with it is answered (200), never "
        "recorded twice; with other values, or for another item, it is refused (409)",
    )


class InstalmentOut(Schema):
    id: int
    item_id: int
    paid_on: dt.date
    amount: Decimal
    currency: str
    has_receipt: bool
    voided: bool = Field(description="voided payments are kept but no longer count as paid")
    voided_at: dt.datetime | None
    void_reason: str


class VoidIn(InputSchema):
    reason: str = Field(description="why the payment is voided (required, at most 1,000 characters)")


class RateIn(InputSchema):
    month: dt.date = Field(description="any day of the month")
    currency: str
    to_currency: str
    rate: Decimal
    replaces: Decimal | None = Field(
        None,
        description="the month's rate you are correcting; left out, a month that has one already "
        "answers 409 naming it",
    )


class RateOut(Schema):
    month: dt.date
    currency: str
    to_currency: str
    rate: Decimal = Field(description="with the decimals it has (at most ten)")

    @staticmethod
    def resolve_rate(obj: Any) -> Decimal:
        return plain_rate(obj.rate)


class ThresholdsIn(InputSchema):
    effective_from: dt.date
    manager_above: Decimal = Field(description="in the programme's reporting currency")
    two_above: Decimal
    country: str = Field("", description="ISO alpha-2 country of origin; blank: all")
    note: str = Field("", max_length=300)


class ThresholdsOut(Schema):
    id: int
    country: str
    effective_from: dt.date
    manager_above: Decimal
    two_above: Decimal


class ProposalsIn(InputSchema):
    effective_from: dt.date
    always: list[str] = Field(default_factory=list, description="type codes proposed for every case")
    by_vulnerability: dict[str, list[str]] = Field(
        default_factory=dict, description="vulnerability code: type codes"
    )


class ProposalsOut(ProposalsIn):
    model_config = ConfigDict(extra="ignore")  # an answer: the input's refusal of extra fields is not for it

    id: int


class BudgetRowOut(Schema):
    programme: str
    country: str
    reporting_currency: str
    plans: int
    planned: MoneyOut
    approved: MoneyOut
    disbursed: MoneyOut


def _money(money: Money) -> dict[str, Any]:
    return {
        "by_currency": money.by_currency,
        "reporting": money.reporting,
        "missing_rates": [f"{m.currency}→{m.to_currency} {m.month:%Y-%m}" for m in money.missing],
    }


def _item(item: AssistanceItem, paid: Decimal) -> dict[str, Any]:
    values = {name: getattr(item, name) for name in PlanItemOut.model_fields if name not in ("kind", "paid")}
    if item.restricted:
        return {**values, "kind": None, "description": "", "paid": paid}
    return {**values, "kind": item.kind.code, "paid": paid}


def _version(version: PlanVersion, groups: frozenset[str]) -> dict[str, Any]:
    return {
        "number": version.number,
        "status": version.status,
        "version": version.version,
        "reason": version.reason,
        "agreed_on": version.agreed_on,
        "submitted_at": version.submitted_at,
        "approved_at": version.approved_at,
        "needs": [
            {
                "id": need.pk,
                "dimension": None if need.restricted else need.dimension,
                "description": "" if need.restricted else need.description,
                "goals": [
                    {"id": g.pk, "description": "" if need.restricted else g.description}
                    for g in need.goals.all()
                ],
                "restricted": need.restricted,
            }
            for need in mask_needs(list(version.needs.prefetch_related("goals")), groups)
        ],
        "items": [_item(row.item, row.paid) for row in items_with_paid(version, groups)],
        "decisions": [
            {
                "decision": d.decision,
                "by": d.by.display_name,
                "at": d.at,
                "comment": d.comment,
                "as_manager": d.as_manager,
                "total": d.total,
                "reporting_currency": d.reporting_currency,
                "level": d.level,
                "thresholds_id": d.thresholds_id,
                "settings_id": d.settings_id,
            }
            for d in decisions_of(version)
        ],
    }


def _plan(request: HttpRequest, case_uuid: uuid.UUID) -> dict[str, Any]:
    case = get_case_for(request.user, case_uuid)
    plan = plan_of(case)
    if plan is None or plan.latest is None:
        raise NotFound()
    budget = budget_of(plan, timezone.localdate())
    return {
        "case": case.uuid,
        "in_force": plan.in_force.number if plan.in_force else None,
        "latest": plan.latest.number,
        "versions": [{"number": v.number, "status": v.status} for v in versions_of(plan)],
        "budget": {
            "reporting_currency": budget.currency,
            "package": budget.package,
            "planned": _money(budget.planned),
            "approved": _money(budget.approved),
            "disbursed": _money(budget.disbursed),
        },
    }


def _fresh(request: HttpRequest, case_uuid: uuid.UUID, number: int) -> dict[str, Any]:
    version = get_version_for(request.user, case_uuid, number)
    return _version(version, groups_on_case(request.user, version.plan.case))


@router.get("/cases/{case_uuid}", response=PlanOut, summary="A case's plan: versions and budget")
def read_plan(request: HttpRequest, case_uuid: uuid.UUID) -> Any:
    note_api_read(request.user, get_case_for(request.user, case_uuid))
    return _plan(request, case_uuid)


@router.post("/cases/{case_uuid}", response={201: PlanOut}, summary="Start the case's plan")
def create_plan(request: HttpRequest, case_uuid: uuid.UUID) -> Any:
    actions.start_plan(request.user, get_case_for(request.user, case_uuid))
    return Status(201, _plan(request, case_uuid))


@router.get("/cases/{case_uuid}/versions/{number}", response=VersionOut)
def read_version(request: HttpRequest, case_uuid: uuid.UUID, number: int) -> Any:
    note_api_read(request.user, get_case_for(request.user, case_uuid))
    return _fresh(request, case_uuid, number)


@router.post("/cases/{case_uuid}/versions", response={201: VersionOut}, summary="Open a new version")
def open_version(request: HttpRequest, case_uuid: uuid.UUID, body: NewVersionIn) -> Any:
    case = get_case_for(request.user, case_uuid)
    plan = plan_of(case)
    if plan is None:
        raise NotFound()
    version = actions.open_new_version(request.user, plan, reason=body.reason)
    return Status(201, _fresh(request, case_uuid, version.number))


@router.post("/cases/{case_uuid}/versions/{number}/needs", response={201: VersionOut})
def add_need(request: HttpRequest, case_uuid: uuid.UUID, number: int, body: NeedIn) -> Any:
    version = get_version_for(request.user, case_uuid, number)
    actions.add_need(
        request.user,
        version,
        dimension=body.dimension,
        description=body.description,
        expected_version=body.version,
    )
    return Status(201, _fresh(request, case_uuid, number))


@router.post("/cases/{case_uuid}/versions/{number}/needs/{need_id}/goals", response={201: VersionOut})
def add_goal(request: HttpRequest, case_uuid: uuid.UUID, number: int, need_id: int, body: GoalIn) -> Any:
    version = get_version_for(request.user, case_uuid, number)
    need = version.needs.filter(pk=need_id).first()
    if need is None:
        raise NotFound()
    actions.add_goal(request.user, need, description=body.description, expected_version=body.version)
    return Status(201, _fresh(request, case_uuid, number))


def _need(request: HttpRequest, case_uuid: uuid.UUID, number: int, need_id: int) -> Any:
    need = get_version_for(request.user, case_uuid, number).needs.filter(pk=need_id).first()
    if need is None:
        raise NotFound()
    return need


def _goal(request: HttpRequest, case_uuid: uuid.UUID, number: int, goal_id: int) -> Any:
    version = get_version_for(request.user, case_uuid, number)
    goal = Goal.objects.filter(need__version=version, pk=goal_id).first()
    if goal is None:
        raise NotFound()
    return goal


@router.put(
    "/cases/{case_uuid}/versions/{number}/needs/{need_id}", response=VersionOut, summary="Reword a need"
)
def change_need(request: HttpRequest, case_uuid: uuid.UUID, number: int, need_id: int, body: NeedIn) -> Any:
    need = _need(request, case_uuid, number, need_id)
    actions.change_need(
        request.user,
        need,
        dimension=body.dimension,
        description=body.description,
        expected_version=body.version,
    )
    return _fresh(request, case_uuid, number)


@router.delete("/cases/{case_uuid}/versions/{number}/needs/{need_id}", response={204: None})
def remove_need(request: HttpRequest, case_uuid: uuid.UUID, number: int, need_id: int, version: int) -> Any:
    """Remove a need without items, with its goals (`version`: the plan version you read)."""
    actions.remove_need(request.user, _need(request, case_uuid, number, need_id), expected_version=version)
    return Status(204, None)


@router.put(
    "/cases/{case_uuid}/versions/{number}/goals/{goal_id}", response=VersionOut, summary="Reword a goal"
)
def change_goal(request: HttpRequest, case_uuid: uuid.UUID, number: int, goal_id: int, body: GoalIn) -> Any:
    goal = _goal(request, case_uuid, number, goal_id)
    actions.change_goal(request.user, goal, description=body.description, expected_version=body.version)
    return _fresh(request, case_uuid, number)


@router.delete("/cases/{case_uuid}/versions/{number}/goals/{goal_id}", response={204: None})
def remove_goal(request: HttpRequest, case_uuid: uuid.UUID, number: int, goal_id: int, version: int) -> Any:
    """Remove a goal without items (`version`: the plan version you read)."""
    actions.remove_goal(request.user, _goal(request, case_uuid, number, goal_id), expected_version=version)
    return Status(204, None)


@router.post("/cases/{case_uuid}/versions/{number}/items", response={201: VersionOut})
def add_item(request: HttpRequest, case_uuid: uuid.UUID, number: int, body: ItemItemIn) -> Any:
    version = get_version_for(request.user, case_uuid, number)
    goal = Goal.objects.filter(need__version=version, pk=body.goal_id).first()
    if goal is None:  # a body's value, not the address: 422 naming it (a 404 read as a wrong URL)
        raise ValidationFailed(_("This version has no goal with this number."), "goal_id")
    actions.add_item(request.user, goal, body.to_data(), expected_version=body.version)
    return Status(201, _fresh(request, case_uuid, number))


@router.put("/items/{item_id}", response=PlanItemOut, summary="Change an item of an open version")
def update_item(request: HttpRequest, item_id: int, body: PlanItemIn) -> Any:
    item = get_item_for(request.user, item_id)
    actions.update_item(request.user, item, body.to_data(), expected_version=body.version)
    return _item_out(request, item_id)


@router.delete("/items/{item_id}", response={204: None})
def remove_item(request: HttpRequest, item_id: int, version: int) -> Any:
    actions.remove_item(request.user, get_item_for(request.user, item_id), expected_version=version)
    return Status(204, None)


@router.post("/items/{item_id}/status", response=PlanItemOut, summary="In progress, delivered or cancelled")
def change_status(request: HttpRequest, item_id: int, body: ItemStatusIn) -> Any:
    item = get_item_for(request.user, item_id)
    actions.change_item_status(request.user, item, body.status, reason=body.reason)
    return _item_out(request, item_id)


def _item_out(request: HttpRequest, item_id: int) -> dict[str, Any]:
    item = get_item_for(request.user, item_id)
    groups = groups_on_case(request.user, item.version.plan.case)
    row = next(r for r in items_with_paid(item.version, groups) if r.item.pk == item.pk)
    return _item(row.item, row.paid)


@router.post("/cases/{case_uuid}/versions/{number}/agreement", response=VersionOut)
def record_agreement(
    request: HttpRequest,
    case_uuid: uuid.UUID,
    number: int,
    agreed_on: Form[dt.date],
    version: Form[int],
    agreement_file: File[UploadedFile],
) -> Any:
    found = get_version_for(request.user, case_uuid, number)
    actions.record_agreement(
        request.user, found, agreed_on=agreed_on, upload=agreement_file, expected_version=version
    )
    return _fresh(request, case_uuid, number)


@router.post("/cases/{case_uuid}/versions/{number}/submit", response=VersionOut)
def submit(request: HttpRequest, case_uuid: uuid.UUID, number: int, body: Versioned) -> Any:
    actions.submit_plan(
        request.user, get_version_for(request.user, case_uuid, number), expected_version=body.version
    )
    return _fresh(request, case_uuid, number)


@router.post("/cases/{case_uuid}/versions/{number}/approve", response=VersionOut)
def approve(request: HttpRequest, case_uuid: uuid.UUID, number: int, body: DecisionIn) -> Any:
    version = get_version_for(request.user, case_uuid, number)
    actions.approve_plan(request.user, version, comment=body.comment, expected_version=body.version)
    return _fresh(request, case_uuid, number)


@router.post("/cases/{case_uuid}/versions/{number}/return", response=VersionOut)
def return_plan(request: HttpRequest, case_uuid: uuid.UUID, number: int, body: DecisionIn) -> Any:
    version = get_version_for(request.user, case_uuid, number)
    actions.return_plan(request.user, version, comment=body.comment, expected_version=body.version)
    return _fresh(request, case_uuid, number)


@router.get("/items/{item_id}/instalments", response=list[InstalmentOut])
def list_instalments(request: HttpRequest, item_id: int) -> Any:
    item = get_item_for(request.user, item_id)
    note_api_read(request.user, item.version.plan.case)
    return [_instalment(i) for i in Instalment.objects.filter(key=item.key)]


@router.post(
    "/items/{item_id}/instalments",
    response={200: InstalmentOut, 201: InstalmentOut},
    summary="Record an instalment (201); sent again with the same request_id, the one recorded (200)",
)
def record_instalment(request: HttpRequest, item_id: int, body: InstalmentIn) -> Any:
    item = get_item_for(request.user, item_id, Perm.PAYMENT_RECORD)
    try:
        paid = actions.record_instalment(
            request.user,
            item,
            paid_on=body.paid_on,
            amount=body.amount,
            currency=body.currency,
            form_key=body.request_id,
        )
    except Duplicate:
        # A retry of a request that was recorded: the instalment it recorded, as an
        # idempotent retry answers (the 409 spoke of a page and gave no id to reconcile).
        earlier = Instalment.objects.filter(form_key=body.request_id, key=item.key).first()
        if earlier is None:
            raise Duplicate(
                _("This request_id was sent already, for another item: send a new one."), "request_id"
            ) from None
        # As the payment was recorded: the currency upper-cased ("eur" was stored as EUR, and
        # its byte-identical retry was refused as another payment).
        sent = (body.paid_on, body.amount, body.currency.strip().upper())
        if (earlier.paid_on, earlier.amount, earlier.currency) != sent:
            # Answered 200, the client would believe its other amount recorded.
            raise Duplicate(
                _("This request_id was sent already with other values: send a new one for another payment."),
                "request_id",
            ) from None
        return Status(200, _instalment(earlier))
    return Status(201, _instalment(paid))


@router.post("/items/{item_id}/instalments/{instalment_id}/void", response=InstalmentOut)
def void_instalment(request: HttpRequest, item_id: int, instalment_id: int, body: VoidIn) -> Any:
    item = get_item_for(request.user, item_id)
    instalment = (
        Instalment.objects.filter(key=item.key, pk=instalment_id).select_related("item__version").first()
    )
    if instalment is None:
        raise NotFound()
    return _instalment(actions.void_instalment(request.user, instalment, reason=body.reason))


def _instalment(instalment: Instalment) -> dict[str, Any]:
    return {
        "id": instalment.pk,
        "item_id": instalment.item_id,
        "paid_on": instalment.paid_on,
        "amount": instalment.amount,
        "currency": instalment.currency,
        "has_receipt": bool(instalment.receipt),
        "voided": instalment.voided_at is not None,
        "voided_at": instalment.voided_at,
        "void_reason": instalment.void_reason,
    }


class RateListParams(PageParams):
    currency: str = Field("", max_length=3, description="only rates of this currency (ISO 4217)")
    to_currency: str = Field("", max_length=3, description="only rates into this reporting currency")


class RatePage(Schema):
    items: list[RateOut]
    count: int = Field(description=f"matching rates, counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


@router.get("/exchange-rates", response=RatePage, summary="Exchange rates recorded, latest month first")
def list_rates(request: HttpRequest, params: Query[RateListParams]) -> Any:
    rates = ExchangeRate.objects.all()
    for name in ("currency", "to_currency"):
        sent = getattr(params, name)
        if not sent:
            continue
        code = payable_currency(sent)
        if code is None:  # "zzz" listed nothing, as if no rate were recorded
            raise ValidationFailed(currency_hint(), name)
        rates = rates.filter(**{name: code})
    return page_out(rates, params.limit, params.offset)


@router.post("/exchange-rates", response={201: RateOut})
def record_rate(request: HttpRequest, body: RateIn) -> Any:
    row = actions.record_exchange_rate(
        request.user,
        month=body.month,
        currency=body.currency,
        to_currency=body.to_currency,
        rate=body.rate,
        replaces=body.replaces,
    )
    return Status(201, row)


class BudgetParams(InputSchema):
    """The budgets page's filters."""

    programme: str = Field("", max_length=40, description="a programme's code; empty: every one you see")
    paid_from: dt.date | None = Field(None, description="payments from this day count as disbursed")
    paid_to: dt.date | None = Field(None, description="payments until this day count as disbursed")


@router.get("/budget", response=list[BudgetRowOut], summary="Budgets per programme and country of origin")
def budget(request: HttpRequest, params: Query[BudgetParams]) -> Any:
    """Planned and approved as the plans stand; disbursed, the payments of the days asked
    (the page's filters: a quarter's disbursements could not be read through the API)."""
    from remis.programmes.queries import visible_programmes

    programme_id = None
    if params.programme:
        programme_id = (
            visible_programmes(request.user)
            .filter(code=params.programme)
            .values_list("pk", flat=True)
            .first()
        )
        if programme_id is None:
            raise ValidationFailed(_("No programme you may read has this code."), "programme")
    if params.paid_from and params.paid_to and params.paid_to < params.paid_from:
        raise ValidationFailed(_("The last day comes before the first."), "paid_to")
    rows = budget_totals(
        request.user,
        timezone.localdate(),
        programme_id=programme_id,
        paid_from=params.paid_from,
        paid_to=params.paid_to,
    )
    return [
        {
            "programme": row.programme,
            "country": row.country,
            "reporting_currency": row.currency,
            "plans": row.plans,
            "planned": _money(row.planned),
            "approved": _money(row.approved),
            "disbursed": _money(row.disbursed),
        }
        for row in rows
        if not row.total  # the page's totals: a client adds what it needs
    ]


class AssistanceTypeOut(Schema):
    code: str
    label: str = Field(description="In the language asked (Accept-Language), else English.")
    name: str = Field(description="In English.")
    names: dict[str, str] = Field(description="Its translations by language code.")
    dimension: DimensionCode
    sensitive_group: str = Field(description="The sensitive field group an item of it is in; empty: none.")
    active: bool = Field(description="False: retired, no new item takes it.")


@router.get(
    "/assistance-types",
    response=list[AssistanceTypeOut],
    summary="The assistance types (the code list of an item's `kind`), in list order",
)
def assistance_types(request: HttpRequest, include_retired: bool = False) -> Any:
    from remis.assistance.models import AssistanceType

    # A catalogue, not a record: what any signed-in client needs to write an item.
    types = AssistanceType.objects.order_by("position", "name", "pk")
    if not include_retired:
        types = types.filter(active=True)
    return [
        {
            "code": t.code,
            "label": t.label,
            "name": t.name,
            "names": t.names or {},
            "dimension": t.dimension,
            "sensitive_group": t.sensitive_group,
            "active": t.active,
        }
        for t in types
    ]


@router.post(
    "/thresholds/{code}", response={201: ThresholdsOut}, summary="A new version of approval thresholds"
)
def set_thresholds(request: HttpRequest, code: str, body: ThresholdsIn) -> Any:
    from remis.programmes.queries import get_programme_for

    programme = get_programme_for(request.user, code)
    row = actions.set_approval_thresholds(request.user, programme, **body.dict())
    return Status(201, row)


@router.post("/proposals/{code}", response={201: ProposalsOut}, summary="A new version of proposed types")
def set_proposals(request: HttpRequest, code: str, body: ProposalsIn) -> Any:
    from remis.programmes.queries import get_programme_for

    programme = get_programme_for(request.user, code)
    return Status(201, actions.set_proposal_rules(request.user, programme, **body.dict()))
