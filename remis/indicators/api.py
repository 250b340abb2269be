"""Indicator frameworks in the JSON API: the frameworks and their indicators (read and, for
those who manage them, written through the same actions as the pages), and a framework's
results per period, by the same rules as the page."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any, TypeAlias

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.indicators import actions
from remis.indicators.computation import DISAGGREGATIONS, scale_of
from remis.indicators.models import Framework, FrameworkStatus
from remis.indicators.queries import readable_frameworks
from remis.indicators.results import QUARTER, YEAR, Cell, compute
from remis.lib.api_schema import InputSchema, literal_of
from remis.lib.errors import NotFound, PermissionDenied, ValidationFailed
from remis.reports.forms import EARLIEST_YEAR

router = Router(tags=["indicators"])

if TYPE_CHECKING:
    StatusCode: TypeAlias = str
    Disaggregation: TypeAlias = str
    Granularity: TypeAlias = str
else:
    StatusCode = literal_of(FrameworkStatus.values)
    Disaggregation = literal_of(DISAGGREGATIONS)
    Granularity = literal_of([YEAR, QUARTER])

HIDDEN = "null: hidden, resting on fewer rows than `threshold` or giving such a value away"


class IndicatorOut(Schema):
    code: str
    name: str
    definition: str
    names: dict[str, str] = Field(..., description="the name's translations by language code (fr, ar)")
    definitions: dict[str, str] = Field(..., description="the definition's translations by language code")
    dimension: str
    level: str
    core: bool
    computation: dict[str, Any] = Field(..., description="aggregation, subject, field, where, numerator")
    disaggregations: list[str]
    direction: str = Field(..., description="higher or lower is better")
    baseline: float | None = Field(..., description="as stored: a share or a score as its fraction (0–1)")
    targets: dict[str, float] = Field(
        ..., description="per period (2026, 2026-Q1); a share or a score as its fraction (0–1)"
    )
    programmes: list[str] = Field(..., description="programme codes; empty: every programme")
    countries: list[str] = Field(..., description="countries of origin; empty: every country")
    version: int = Field(..., description="changes to it send this back: a newer one is a 409")


class FrameworkOut(Schema):
    uuid: uuid.UUID
    code: str
    number: int = Field(..., description="the version")
    name: str
    description: str
    names: dict[str, str] = Field(..., description="the name's translations by language code (fr, ar)")
    descriptions: dict[str, str] = Field(..., description="the description's translations by language code")
    status: str
    activated_at: dt.datetime | None
    retired_at: dt.datetime | None
    indicators: list[IndicatorOut]
    version: int = Field(..., description="changes to it send this back: a newer one is a 409")


def _require_reader(request: HttpRequest) -> None:
    if not grants_with(request.user, Perm.STATS_VIEW):
        raise PermissionDenied(_("Your role does not give access to statistics."))


def _out(framework: Framework) -> dict[str, Any]:
    return {
        "uuid": framework.uuid,
        "code": framework.code,
        "number": framework.number,
        "name": framework.name,
        "description": framework.description,
        "names": framework.names or {},
        "descriptions": framework.descriptions or {},
        "status": framework.status,
        "activated_at": framework.activated_at,
        "retired_at": framework.retired_at,
        "version": framework.version,
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "definition": i.definition,
                "names": i.names or {},
                "definitions": i.definitions or {},
                "dimension": i.dimension,
                "level": i.level,
                "core": i.core,
                "computation": i.computation,
                "disaggregations": i.disaggregations,
                "direction": i.direction,
                "baseline": None if i.baseline is None else float(i.baseline),
                "targets": {k: float(v) for k, v in (i.targets or {}).items()},
                "programmes": sorted(p.code for p in i.programmes.all()),
                "countries": i.countries,
                "version": i.version,
            }
            for i in framework.indicators.prefetch_related("programmes")
        ],
    }


@router.get("", response=list[FrameworkOut], summary="Indicator frameworks, each version")
def list_frameworks(request: HttpRequest, status: StatusCode | None = None) -> list[dict[str, Any]]:
    _require_reader(request)
    frameworks = readable_frameworks(request.user).order_by("code", "-number")
    if status:
        frameworks = frameworks.filter(status=status)
    return [_out(f) for f in frameworks]


def _framework(request: HttpRequest, framework_uuid: uuid.UUID) -> Framework:
    framework = readable_frameworks(request.user).filter(uuid=framework_uuid).first()
    if framework is None:
        raise NotFound()
    return framework


@router.get("/{framework_uuid}", response=FrameworkOut, summary="One framework version and its indicators")
def get_framework(request: HttpRequest, framework_uuid: uuid.UUID) -> dict[str, Any]:
    _require_reader(request)
    return _out(_framework(request, framework_uuid))


class ResultParams(InputSchema):
    first: int = Field(..., ge=EARLIEST_YEAR, le=2100, description="first year")
    last: int = Field(..., ge=EARLIEST_YEAR, le=2100, description="last year, included")
    granularity: Granularity = YEAR
    programme: int | None = Field(None, ge=1, le=2**63 - 1)
    by: Disaggregation | None = Field(None, description="a disaggregation (for the indicators that list it)")


class IndicatorCellOut(Schema):
    period: str
    value: float | None = Field(
        ...,
        description=HIDDEN
        + "; read by the indicator's `scale`: a share as its fraction (1 = 100 %), a score "
        "as its fraction of 100 points (0.766 is 76.6 points), a count whole",
    )
    rows: int | None = Field(..., description="the rows the value rests on. " + HIDDEN)


class PeriodOut(IndicatorCellOut):
    target: float | None
    met: bool | None = Field(..., description="null: no target, or no value to compare")


class GroupOut(Schema):
    key: str
    label: str
    cells: list[IndicatorCellOut]


class IndicatorResultOut(Schema):
    code: str
    scale: str = Field(
        ...,
        description="what its values are: share (a fraction, 1 = 100 %), points (a score, as its fraction "
        "of 100 points), count, or number",
    )
    applies: bool = Field(..., description="false: the indicator's programmes exclude the one asked for")
    periods: list[PeriodOut]
    groups: list[GroupOut]


class ResultsOut(Schema):
    framework: uuid.UUID
    first: int
    last: int
    granularity: str
    by: str | None
    threshold: int = Field(..., description="values resting on 1 to threshold − 1 rows are hidden; 0: exact")
    as_of: dt.datetime | None
    indicators: list[IndicatorResultOut]


def _cell(period: str, cell: Cell) -> dict[str, Any]:
    return {
        "period": period,
        "value": None if cell.hidden else cell.value,
        "rows": None if cell.hidden else cell.n,
    }


@router.get(
    "/{framework_uuid}/results", response=ResultsOut, summary="A framework's results per period, with targets"
)
def framework_results(
    request: HttpRequest, framework_uuid: uuid.UUID, params: Query[ResultParams]
) -> dict[str, Any]:
    _require_reader(request)
    framework = _framework(request, framework_uuid)
    if params.last < params.first:
        raise ValidationFailed(_("The last year cannot come before the first."), "last")
    if params.last - params.first >= 20:
        raise ValidationFailed(_("Show at most %(n)s years at once.") % {"n": 20}, "last")
    latest = timezone.localdate().year + 10
    if params.first > latest:
        message = _("Choose a year from %(low)s to %(high)s.") % {"low": EARLIEST_YEAR, "high": latest}
        raise ValidationFailed(message, "first")
    results = compute(
        request.user,
        framework,
        params.first,
        params.last,
        params.granularity,
        params.programme,
        params.by or "",
    )
    if results is None:
        raise PermissionDenied(_("Your role does not give access to statistics."))
    return {
        "framework": framework.uuid,
        "first": params.first,
        "last": params.last,
        "granularity": params.granularity,
        "by": results.by or None,
        "threshold": results.threshold,
        "as_of": results.as_of,
        "indicators": [
            {
                "code": r.indicator.code,
                "scale": scale_of(r.indicator.computation),
                "applies": r.applies and r.spec is not None,
                "periods": [
                    {
                        **_cell(row.period.key, row.cell),
                        "target": None if row.target is None else float(row.target),
                        "met": row.met,
                    }
                    for row in r.rows
                ],
                "groups": [
                    {
                        "key": g.key,
                        "label": g.label,
                        "cells": [_cell(p.key, c) for p, c in zip(results.periods, g.cells, strict=True)],
                    }
                    for g in r.groups
                ],
            }
            for r in results.results
        ],
    }


# ---- writes: the same actions as the pages (permission `indicators.manage`, audited) ------------


class FrameworkIn(InputSchema):
    code: str = Field(..., max_length=50, description="lower-case letters, digits and hyphens")
    name: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    names: dict[str, str] = Field(default_factory=dict, description='translations: {"fr": …, "ar": …}')
    descriptions: dict[str, str] = Field(default_factory=dict, description='translations: {"fr": …, "ar": …}')


class FrameworkChange(InputSchema):
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    names: dict[str, str] | None = Field(None, description='translations: {"fr": …, "ar": …}')
    descriptions: dict[str, str] | None = Field(None, description='translations: {"fr": …, "ar": …}')
    version: int = Field(..., ge=1, le=2**31 - 1, description="the `version` read: a newer one is a 409")


class IndicatorVersionIn(InputSchema):
    version: int = Field(..., ge=1, le=2**31 - 1, description="the `version` read: a newer one is a 409")


class IndicatorIn(InputSchema):
    code: str = Field(..., max_length=50)
    name: str = Field(..., max_length=200)
    definition: str = Field("", max_length=5000)
    names: dict[str, str] = Field(default_factory=dict, description='translations: {"fr": …, "ar": …}')
    definitions: dict[str, str] = Field(default_factory=dict, description='translations: {"fr": …, "ar": …}')
    dimension: str = Field(..., max_length=30)
    level: str = Field(..., max_length=30)
    core: bool = True
    computation: dict[str, Any] = Field(
        ...,
        description='{"aggregation": "share", "subject": "responses", "numerator": [["band", "=", '
        '"sustainable"]], "where": [], "field": null}',
    )
    disaggregations: list[Disaggregation] = Field(default_factory=list)
    direction: str = Field("higher", max_length=10)
    baseline: str | None = Field(
        None, max_length=30, description="a share as 60% or 0.6; a score's mean or median in points, 0–100"
    )
    targets: dict[str, str] = Field(
        default_factory=dict,
        description='{"2026": "60%", "2026-Q1": "0.5"}; a score\'s mean or median in points ({"2026": "55"})',
    )
    programmes: list[str] = Field(default_factory=list, description="programme codes; empty: every one")
    countries: list[str] = Field(default_factory=list, description="countries of origin; empty: every one")


class IndicatorChange(IndicatorIn):
    version: int = Field(..., ge=1, le=2**31 - 1, description="the indicator's `version` read")


def _indicator(framework: Framework, code: str) -> Any:
    found = framework.indicators.filter(code=code).first()
    if found is None:
        raise NotFound()
    return found


def _values(body: Schema, *, without: tuple[str, ...] = ()) -> dict[str, Any]:
    values = body.model_dump()
    targets = values.get("targets") or {}
    # Targets and the baseline as text, as the form gives them: the action parses both.
    values["targets"] = "\n".join(f"{period}: {amount}" for period, amount in targets.items())
    return {k: v for k, v in values.items() if k not in without}


@router.post("", response={201: FrameworkOut}, summary="Create a framework (its first version, a draft)")
def create_framework_api(request: HttpRequest, body: FrameworkIn) -> Status:
    framework = actions.create_framework(request.user, body.model_dump())
    return Status(201, _out(framework))


@router.patch("/{framework_uuid}", response=FrameworkOut, summary="Change a draft's name or description")
def update_framework_api(
    request: HttpRequest, framework_uuid: uuid.UUID, body: FrameworkChange
) -> dict[str, Any]:
    framework = _framework(request, framework_uuid)
    values = {k: v for k, v in body.model_dump().items() if k != "version" and v is not None}
    actions.update_framework(request.user, framework, values, body.version)
    framework.refresh_from_db()
    return _out(framework)


@router.post(
    "/{framework_uuid}/versions", response={201: FrameworkOut}, summary="Start a new version (a draft copy)"
)
def new_version_api(request: HttpRequest, framework_uuid: uuid.UUID) -> Status:
    return Status(201, _out(actions.new_version(request.user, _framework(request, framework_uuid))))


@router.post(
    "/{framework_uuid}/activate", response=FrameworkOut, summary="Activate a draft (retires the active one)"
)
def activate_api(request: HttpRequest, framework_uuid: uuid.UUID, body: IndicatorVersionIn) -> dict[str, Any]:
    framework = _framework(request, framework_uuid)
    actions.activate(request.user, framework, body.version)
    framework.refresh_from_db()
    return _out(framework)


@router.post("/{framework_uuid}/retire", response=FrameworkOut, summary="Retire the active version")
def retire_api(request: HttpRequest, framework_uuid: uuid.UUID, body: IndicatorVersionIn) -> dict[str, Any]:
    framework = _framework(request, framework_uuid)
    actions.retire(request.user, framework, body.version)
    framework.refresh_from_db()
    return _out(framework)


@router.post(
    "/{framework_uuid}/indicators", response={201: FrameworkOut}, summary="Add an indicator to a draft"
)
def add_indicator_api(request: HttpRequest, framework_uuid: uuid.UUID, body: IndicatorIn) -> Status:
    framework = _framework(request, framework_uuid)
    actions.add_indicator(request.user, framework, _values(body))
    return Status(201, _out(framework))


@router.put(
    "/{framework_uuid}/indicators/{code}", response=FrameworkOut, summary="Change a draft's indicator"
)
def update_indicator_api(
    request: HttpRequest, framework_uuid: uuid.UUID, code: str, body: IndicatorChange
) -> dict[str, Any]:
    framework = _framework(request, framework_uuid)
    actions.update_indicator(
        request.user, _indicator(framework, code), _values(body, without=("version",)), body.version
    )
    return _out(framework)


@router.delete(
    "/{framework_uuid}/indicators/{code}", response=FrameworkOut, summary="Remove an indicator from a draft"
)
def remove_indicator_api(request: HttpRequest, framework_uuid: uuid.UUID, code: str) -> dict[str, Any]:
    framework = _framework(request, framework_uuid)
    actions.remove_indicator(request.user, _indicator(framework, code))
    return _out(framework)
