"""Research extracts in the JSON API, beside the report packages: ask for one (a job
builds it), list one's own, read one and download its files. Another person's extract
is "not found"."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_
from typing import TYPE_CHECKING, Any, TypeAlias

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from remis.lib.api_schema import COUNT_CAP, InputSchema, literal_of, page_out
from remis.lib.errors import NotFound, PermissionDenied
from remis.reports.models import ResearchExtract
from remis.reports.research.requests import DEFAULT_K, may_request, readable_extracts, request_extract

router = Router(tags=["reports"])

if TYPE_CHECKING:
    ExtractFile: TypeAlias = str
else:
    ExtractFile = literal_of(["csv", "xlsx"])


class ExtractIn(InputSchema):
    start: dt.date = Field(..., description="first day of arrival")
    end: dt.date = Field(..., description="last day of arrival, included")
    programme: int | None = Field(None, ge=1, le=2**63 - 1, description="blank: every programme you see")
    origin: str = Field("", max_length=2, description="country of origin, ISO 3166 alpha-2; blank: all")
    k: int = Field(
        DEFAULT_K,
        description="smallest group of the quasi-identifiers (2 to 100; the programmes' small-cell "
        "threshold applies when larger)",
    )


class ExtractOut(Schema):
    uuid: uuid_.UUID
    start: dt.date
    end: dt.date
    programme: int | None
    origin: str
    k: int = Field(..., description="k asked")
    k_applied: int | None = Field(..., description="k applied (null until built)")
    rows_read: int | None
    rows_coarsened: int | None
    rows_suppressed: int | None = Field(..., description="rows left out by the k rule")
    status: str = Field(..., description="the building job's: queued, running, succeeded, failed, cancelled")
    progress: str
    outcome: str
    requested_at: dt.datetime
    files: list[str] = Field(..., description="csv, xlsx: GET …/files/{kind}")


class ExtractPage(Schema):
    items: list[ExtractOut]
    count: int = Field(description=f"counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


def _out(extract: ResearchExtract) -> dict[str, Any]:
    job = extract.job
    return {
        "uuid": extract.uuid,
        "start": extract.start,
        "end": extract.end,
        "programme": extract.programme_id,
        "origin": extract.origin,
        "k": extract.k,
        "k_applied": extract.k_applied,
        "rows_read": extract.rows_read,
        "rows_coarsened": extract.rows_coarsened,
        "rows_suppressed": extract.rows_suppressed,
        "status": job.status if job else "",
        "progress": f"{job.done}/{job.total or '?'}" if job else "",
        "outcome": job.outcome if job else "",
        "requested_at": extract.requested_at,
        "files": [kind for kind in ("csv", "xlsx") if getattr(extract, kind)],
    }


@router.get("/research-extracts", response=ExtractPage, summary="Your research extracts, newest first")
def list_extracts(
    request: HttpRequest, limit: int = Query(25, ge=1, le=200), offset: int = Query(0, ge=0, le=100_000)
) -> dict[str, Any]:
    if not may_request(request.user):
        raise PermissionDenied(_("Your role does not give access to research extracts."))
    return page_out(readable_extracts(request.user), limit, offset, _out)


@router.post(
    "/research-extracts", response={201: ExtractOut}, summary="Ask for a research extract (a job builds it)"
)
def create_extract(request: HttpRequest, body: ExtractIn) -> Status:
    extract = request_extract(
        request.user, start=body.start, end=body.end, programme=body.programme, origin=body.origin, k=body.k
    )
    extract.refresh_from_db()
    return Status(201, _out(extract))


def _own(request: HttpRequest, extract_uuid: uuid_.UUID) -> ResearchExtract:
    extract = readable_extracts(request.user).filter(uuid=extract_uuid).first()
    if extract is None:
        raise NotFound()
    return extract


@router.get("/research-extracts/{extract_uuid}", response=ExtractOut, summary="A research extract")
def get_extract(request: HttpRequest, extract_uuid: uuid_.UUID) -> dict[str, Any]:
    return _out(_own(request, extract_uuid))


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/research-extracts/{extract_uuid}/files/{kind}",
    response={200: None},
    summary="A research extract's CSV or XLSX",
    openapi_extra={
        "responses": {
            200: {
                "description": "the file",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    _XLSX: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def extract_file(request: HttpRequest, extract_uuid: uuid_.UUID, kind: ExtractFile) -> HttpResponse:
    extract = _own(request, extract_uuid)
    stored = getattr(extract, kind)
    if not stored:
        raise NotFound(_("This file has not been built."))
    content_type = "text/csv; charset=utf-8" if kind == "csv" else _XLSX
    response = HttpResponse(stored.open("rb").read(), content_type=content_type)
    name = f"research-extract-{extract.start.isoformat()}-{extract.end.isoformat()}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
