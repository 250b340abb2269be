"""The return statistics in the JSON API: the same tables as the page, by the same rules."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_
from typing import TYPE_CHECKING, Any, TypeAlias

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from remis.lib.api_schema import COUNT_CAP, InputSchema, literal_of, page_out
from remis.lib.countries import is_country
from remis.lib.errors import NotFound, PermissionDenied, ValidationFailed
from remis.programmes.queries import visible_programmes
from remis.reports.models import PackageKind, ReportPackage
from remis.reports.packages import file_stem, may_request, readable_packages, request_package
from remis.reports.research.api import router as research_router
from remis.reports.statistics import (
    CONFIDENTIAL_ONLY,
    DIMENSIONS,
    EARLIEST_YEAR,
    Edition,
    EditionRefused,
    Filters,
    Population,
    breakdown,
    confidential_only,
    cross_table,
    edition_for,
)

router = Router(tags=["reports"])
router.add_router("", research_router)  # research extracts, beside the report packages

if TYPE_CHECKING:
    DimensionCode: TypeAlias = str
    PopulationCode: TypeAlias = str
    EditionCode: TypeAlias = str
else:
    DimensionCode = literal_of(DIMENSIONS)
    PopulationCode = literal_of([code for code, _label in Population.CHOICES])
    EditionCode = literal_of([code for code, _label in Edition.CHOICES])


class ReturnFilterParams(InputSchema):
    start: dt.date = Field(..., description="first day of the period (a return counts on its arrival day)")
    end: dt.date = Field(..., description="last day of the period, included")
    by: DimensionCode = "origin"
    across: DimensionCode | None = Field(None, description="a second dimension: a cross-table of persons")
    population: PopulationCode = Population.RETURNED
    programme: int | None = Field(None, ge=1, le=2**63 - 1)
    host: str = Field("", max_length=2, description="host country, ISO 3166 alpha-2")
    origin: str = Field("", max_length=2, description="country of origin, ISO 3166 alpha-2")
    top: int | None = Field(None, ge=1, le=500, description="only the largest rows")


class ReturnParams(ReturnFilterParams):
    edition: EditionCode | None = Field(
        None,
        description="confidential (exact counts; for those who read case records) or public (small "
        "counts hidden; no breakdown by vulnerability); by default the most detailed the caller may read",
    )


HIDDEN = "null: a small count hidden (below `threshold`), or hidden so that none can be worked out"


class RowOut(Schema):
    key: str = Field(..., description='the row\'s code ("?" for not known)')
    label: str
    persons: int | None = Field(..., description=HIDDEN)
    cases: int | None = Field(..., description=HIDDEN)


class ColumnOut(Schema):
    key: str
    label: str
    persons: int | None = Field(..., description="the column's total. " + HIDDEN)


class ReturnCellOut(Schema):
    row: str
    column: str
    persons: int | None = Field(..., description=HIDDEN)


class ReturnTableOut(Schema):
    by: str
    across: str | None
    start: dt.date
    end: dt.date
    population: str
    total_persons: int | None = Field(..., description=HIDDEN)
    total_cases: int | None = Field(..., description=HIDDEN)
    threshold: int = Field(..., description="counts from 1 to threshold − 1 are hidden; 0: exact figures")
    edition: str
    rows: list[RowOut]
    columns: list[ColumnOut] = Field(default_factory=list, description="a cross-table's columns")
    cells: list[ReturnCellOut] = Field(default_factory=list)
    as_of: dt.datetime | None


def _filters(params: ReturnFilterParams, actor: Any) -> Filters:
    # An unknown country or a programme the caller does not see answered zeros, as if
    # nobody had returned: a 422 names the parameter, as the case list's filters do.
    for name in ("host", "origin"):
        code = getattr(params, name)
        if code and not is_country(code):
            raise ValidationFailed(_("“%(code)s” is not an ISO 3166 country code.") % {"code": code}, name)
    if params.programme and not visible_programmes(actor).filter(pk=params.programme).exists():
        raise ValidationFailed(_("No programme you see has this number."), "programme")
    if params.end < params.start:
        raise ValidationFailed(_("The last day comes before the first."), "end")
    if params.start > timezone.localdate():  # as the page refuses it: zeros read as figures
        raise ValidationFailed(_("The first day is after today: nothing has happened yet."), "start")
    if params.across and params.across == params.by:
        raise ValidationFailed(_("Choose another breakdown than the first."), "across")
    return Filters(
        start=params.start,
        end=params.end,
        population=params.population,
        programmes=(params.programme,) if params.programme else (),
        hosts=(params.host.upper(),) if params.host else (),
        origins=(params.origin.upper(),) if params.origin else (),
    )


@router.get("/returns", response=ReturnTableOut, summary="Persons and cases assisted to return, broken down")
def returns(request: HttpRequest, params: Query[ReturnParams]) -> dict[str, Any]:
    filters = _filters(params, request.user)
    try:
        edition = edition_for(request.user, params.edition)
    except EditionRefused:
        raise PermissionDenied(_("The confidential edition is for those who read case records.")) from None
    for name in ("by", "across"):
        if edition == Edition.PUBLIC and getattr(params, name) in CONFIDENTIAL_ONLY:
            raise ValidationFailed(confidential_only(getattr(params, name)), name)
    if params.across:
        table = cross_table(request.user, filters, params.by, params.across, edition)
    else:
        table = breakdown(request.user, filters, params.by, params.top, edition)
    if table is None:
        raise PermissionDenied(_("Your role does not give access to statistics."))

    def value(n: int, hidden: bool) -> int | None:
        return None if hidden else n

    return {
        "by": params.by,
        "across": params.across,
        "start": filters.start,
        "end": filters.end,
        "population": filters.population,
        "total_persons": value(table.total_persons, "persons" in table.hidden_totals),
        "total_cases": value(table.total_cases, "cases" in table.hidden_totals),
        "threshold": table.threshold,
        "edition": table.edition,
        "rows": [
            {
                "key": row.key,
                "label": row.label,
                "persons": value(row.persons, (row.key, "persons") in table.hidden),
                "cases": value(row.cases, (row.key, "cases") in table.hidden),
            }
            for row in table.rows
        ],
        "columns": [
            {
                "key": k,
                "label": label,
                "persons": value(
                    sum(n for (_r, c), n in table.cells.items() if c == k),
                    ("column", k) in table.hidden_totals,
                ),
            }
            for k, label in table.columns
        ],
        "cells": [
            {"row": r, "column": c, "persons": value(n, (r, c) in table.hidden_cells)}
            for (r, c), n in sorted(table.cells.items())
        ],
        "as_of": table.as_of,
    }


if TYPE_CHECKING:
    HxlFormat: TypeAlias = str
else:
    HxlFormat = literal_of(["csv", "xlsx"])


class HxlParams(ReturnFilterParams):
    format: HxlFormat = Field("csv", description="csv, or xlsx (the table, then a definition sheet)")


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/returns/hxl",
    response={200: None},
    summary="The same table as HXL (public edition): a header row, a row of HXL hashtags, the data",
    openapi_extra={
        "responses": {
            200: {
                "description": "the HXL table (public edition: small counts hidden as <5 or x)",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    _XLSX: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def returns_hxl(request: HttpRequest, params: Query[HxlParams]) -> HttpResponse:
    """Always the public edition, whoever asks: HXL tables are made to be passed on."""
    from remis.reports import exports, hxl

    filters = _filters(params, request.user)
    for name in ("by", "across"):
        if getattr(params, name) in CONFIDENTIAL_ONLY:
            raise ValidationFailed(confidential_only(getattr(params, name)), name)
    if params.across:
        table = cross_table(request.user, filters, params.by, params.across, Edition.PUBLIC)
    else:
        table = breakdown(request.user, filters, params.by, params.top, Edition.PUBLIC)
    if table is None:
        raise PermissionDenied(_("Your role does not give access to statistics."))
    stem = f"returns-{params.by}-{filters.start.isoformat()}-{filters.end.isoformat()}-hxl"
    if params.format == "xlsx":
        response = HttpResponse(hxl.as_xlsx(table, exports.definition(table, [])), content_type=_XLSX)
    else:
        response = HttpResponse(hxl.as_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{params.format}"'
    return response


class ProjectRowOut(Schema):
    key: str = Field(..., description="country code (ISO 3166 alpha-2), project type or framework tag")
    label: str
    projects: int
    preparation: int
    ongoing: int = Field(..., description="ongoing or suspended")
    completed: int
    returnees: int | None = Field(..., description=HIDDEN)
    women: int | None = Field(..., description="community members: women and girls. " + HIDDEN)
    men: int | None = Field(..., description="community members: men and boys. " + HIDDEN)
    members: int | None = Field(..., description=HIDDEN)


class ProjectSummaryOut(Schema):
    year: int | None
    programme: int | None
    projects: int
    countries: int
    returnees: int | None = Field(
        ..., description="returnees taking part; one in two projects counts once. " + HIDDEN
    )
    members: int | None = Field(..., description="community members taking part. " + HIDDEN)
    threshold: int = Field(..., description="counts of people from 1 to threshold − 1 are hidden; 0: exact")
    by_country: list[ProjectRowOut]
    by_type: list[ProjectRowOut]
    by_tag: list[ProjectRowOut] = Field(..., description="a project may have several tags")
    as_of: dt.datetime


@router.get(
    "/community-projects",
    response=ProjectSummaryOut,
    summary="Community projects (cancelled aside) run in a year, by country, type and framework",
)
def community_projects(
    request: HttpRequest,
    year: int | None = Query(None, ge=EARLIEST_YEAR, le=9999, description="blank: every year"),
    programme: int | None = Query(None, ge=1, le=2**63 - 1),
) -> dict[str, Any]:
    from remis.accounts.permissions import Perm
    from remis.accounts.scope import grants_with
    from remis.reports.projects import project_summary

    if not grants_with(request.user, Perm.STATS_VIEW):
        raise PermissionDenied(_("Your role does not give access to statistics."))
    today = timezone.localdate()
    if year is not None and year > today.year:  # as the page refuses it, in its words
        raise ValidationFailed(
            _("Enter a year from %(first)s to %(last)s.") % {"first": EARLIEST_YEAR, "last": today.year},
            "year",
        )
    if programme and not visible_programmes(request.user).filter(pk=programme).exists():
        raise ValidationFailed(_("No programme you see has this number."), "programme")
    start, end = (dt.date(year, 1, 1), dt.date(year, 12, 31)) if year else (None, None)
    summary = project_summary(request.user, start, end, programme)
    rows = ("key", "label", "projects", "preparation", "ongoing", "completed")

    def people(value: int | str) -> int | None:
        return value if isinstance(value, int) else None  # "<5" or "x": hidden

    def out(found: list[Any]) -> list[dict[str, Any]]:
        return [
            {**{name: getattr(r, name) for name in rows}, **{k: people(v) for k, v in r.shown.items()}}
            for r in found
        ]

    return {
        "year": year,
        "programme": programme,
        "projects": summary.projects,
        "countries": summary.countries,
        "returnees": people(summary.shown["returnees"]),
        "members": people(summary.shown["members"]),
        "threshold": summary.threshold,
        "by_country": out(summary.by_country),
        "by_type": out(summary.by_type),
        "by_tag": out(summary.by_tag),
        "as_of": summary.as_of,
    }


# ---- report packages ------------------------------------------------------------------------

if TYPE_CHECKING:
    PackageKindCode: TypeAlias = str
    FileKind: TypeAlias = str
else:
    PackageKindCode = literal_of(PackageKind.values)
    FileKind = literal_of(["pdf", "xlsx"])


class PackageIn(InputSchema):
    kind: PackageKindCode
    year: int = Field(..., ge=1, le=9999)
    quarter: int | None = Field(None, ge=1, le=4, description="for a quarterly package")
    programme: int | None = Field(None, ge=1, le=2**63 - 1, description="blank: every programme you see")
    origin: str = Field("", max_length=2, description="country of origin, ISO 3166 alpha-2; blank: all")
    edition: EditionCode | None = Field(None, description="by default the most detailed you may read")


class PackageOut(Schema):
    uuid: uuid_.UUID
    kind: str
    year: int
    quarter: int | None
    programme: int | None
    origin: str
    edition: str
    status: str = Field(..., description="the building job's: queued, running, succeeded, failed, cancelled")
    progress: str = Field(..., description="steps done / steps")
    outcome: str
    requested_at: dt.datetime
    as_of: dt.datetime | None = Field(..., description="the figures' time")
    files: list[str] = Field(..., description="pdf, xlsx: GET …/files/{kind}")
    report: dict[str, Any] = Field(..., description="the figures as printed (hidden counts as <5 or x)")


class PackagePage(Schema):
    items: list[PackageOut]
    count: int = Field(description=f"counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


def _package_out(package: ReportPackage) -> dict[str, Any]:
    job = package.job
    return {
        "uuid": package.uuid,
        "kind": package.kind,
        "year": package.year,
        "quarter": package.quarter,
        "programme": package.programme_id,
        "origin": package.origin,
        "edition": package.edition,
        "status": job.status if job else "",
        "progress": f"{job.done}/{job.total or '?'}" if job else "",
        "outcome": job.outcome_shown if job else "",  # in the request's language, as /jobs says it
        "requested_at": package.requested_at,
        "as_of": package.as_of,
        "files": [kind for kind in ("pdf", "xlsx") if getattr(package, kind)],
        "report": package.snapshot,
    }


@router.get("/packages", response=PackagePage, summary="Your report packages, newest first")
def list_packages(
    request: HttpRequest, limit: int = Query(25, ge=1, le=200), offset: int = Query(0, ge=0, le=100_000)
) -> dict[str, Any]:
    if not may_request(request.user):
        raise PermissionDenied(_("Your role does not give access to statistics."))
    return page_out(readable_packages(request.user), limit, offset, _package_out)


@router.post("/packages", response={201: PackageOut}, summary="Ask for a report package (a job builds it)")
def create_package(request: HttpRequest, body: PackageIn) -> Status:
    if body.kind == "annual" and body.quarter is not None:
        # Ignored, it answered with the year's package where the client meant a quarter's.
        raise ValidationFailed(_("An annual package covers the whole year: send no quarter."), "quarter")
    package = request_package(
        request.user,
        kind=body.kind,
        year=body.year,
        quarter=body.quarter,
        programme=body.programme,
        origin=body.origin,
        edition=body.edition,
    )
    package.refresh_from_db()
    return Status(201, _package_out(package))


def _own_package(request: HttpRequest, package_uuid: uuid_.UUID) -> ReportPackage:
    package = readable_packages(request.user).filter(uuid=package_uuid).first()
    if package is None:
        raise NotFound()
    return package


@router.get("/packages/{package_uuid}", response=PackageOut, summary="A report package and its figures")
def get_package(request: HttpRequest, package_uuid: uuid_.UUID) -> dict[str, Any]:
    return _package_out(_own_package(request, package_uuid))


@router.get(
    "/packages/{package_uuid}/files/{kind}",
    response={200: None},
    summary="A report package's PDF or XLSX",
    openapi_extra={
        "responses": {
            200: {
                "description": "the file",
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
            }
        }
    },
)
def package_file(request: HttpRequest, package_uuid: uuid_.UUID, kind: FileKind) -> HttpResponse:
    package = _own_package(request, package_uuid)
    stored = getattr(package, kind)
    if not stored:
        raise NotFound(_("This file has not been built."))
    content_type = (
        "application/pdf"
        if kind == "pdf"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(stored.open("rb").read(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_stem(package)}.{kind}"'
    return response
