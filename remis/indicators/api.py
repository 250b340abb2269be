"""Indicator frameworks in the JSON API: the frameworks and their indicators (read), and a
framework's results per period, by the same rules as the page."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any, TypeAlias

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.indicators.computation import DISAGGREGATIONS
from remis.indicators.models import Framework, FrameworkStatus
from remis.indicators.queries import readable_frameworks
from remis.indicators.results import QUARTER, YEAR, Cell, compute
from remis.lib.api_schema import literal_of
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
    dimension: str
    level: str
    core: bool
    computation: dict[str, Any] = Field(..., description="aggregation, subject, field, where, numerator")
    disaggregations: list[str]
    direction: str = Field(..., description="higher or lower is better")
    baseline: float | None
    targets: dict[str, float] = Field(..., description="per period (2026, 2026-Q1); a share as a fraction")
    programmes: list[str] = Field(..., description="programme codes; empty: every programme")
    countries: list[str] = Field(..., description="countries of origin; empty: every country")


class FrameworkOut(Schema):
    uuid: uuid.UUID
    code: str
    number: int = Field(..., description="the version")
    name: str
    description: str
    status: str
    activated_at: dt.datetime | None
    retired_at: dt.datetime | None
    indicators: list[IndicatorOut]


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
        "status": framework.status,
        "activated_at": framework.activated_at,
        "retired_at": framework.retired_at,
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "definition": i.definition,
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


class ResultParams(Schema):
    first: int = Field(..., ge=EARLIEST_YEAR, le=2100, description="first year")
    last: int = Field(..., ge=EARLIEST_YEAR, le=2100, description="last year, included")
    granularity: Granularity = YEAR
    programme: int | None = Field(None, ge=1, le=2**63 - 1)
    by: Disaggregation | None = Field(None, description="a disaggregation (for the indicators that list it)")


class CellOut(Schema):
    period: str
    value: float | None = Field(..., description=HIDDEN + "; a share as a fraction")
    rows: int | None = Field(..., description="the rows the value rests on. " + HIDDEN)


class PeriodOut(CellOut):
    target: float | None
    met: bool | None = Field(..., description="null: no target, or no value to compare")


class GroupOut(Schema):
    key: str
    label: str
    cells: list[CellOut]


class IndicatorResultOut(Schema):
    code: str
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
        raise ValidationFailed(_("The last year comes after the first."), "last")
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
