"""Exports of records in the JSON API: ask for one with the same filters as its form (a job
writes it), list one's own, read one and download its file. Another person's export is
"not found"; each download is audited, as on the pages."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_
from typing import TYPE_CHECKING, Any, TypeAlias

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from remis.interop import actions, queries
from remis.interop.exporting import export_kind
from remis.interop.models import RecordExport
from remis.lib.api_schema import COUNT_CAP, InputSchema, literal_of, page_out
from remis.lib.errors import NotFound, PermissionDenied, ValidationFailed

router = Router(tags=["exports"])

if TYPE_CHECKING:
    FileFormat: TypeAlias = str
    Headers: TypeAlias = str
else:
    FileFormat = literal_of(["csv", "xlsx"])
    Headers = literal_of(["codes", "labels"])


class ExportIn(InputSchema):
    kind: str = Field(..., max_length=32, description="what to export: cases or monitoring")
    format: FileFormat = "csv"
    headers: Headers = Field("codes", description="codes (the import's column names) or labels")
    filters: dict[str, str] = Field(
        default_factory=dict,
        description="the export form's fields: for cases stage, category, host_country, origin_country, "
        "organisation, worker, arrived_from, arrived_to, sort, q; for monitoring instrument, programme, "
        "origin_country, collected_from, collected_to",
    )


class ExportOut(Schema):
    uuid: uuid_.UUID
    kind: str
    format: str
    filters: dict[str, Any]
    status: str = Field(..., description="the writing job's: queued, running, succeeded, failed, cancelled")
    progress: str
    outcome: str
    rows: int | None = Field(..., description="rows written (null until written)")
    requested_at: dt.datetime
    file: bool = Field(..., description="whether the file is ready: GET …/file")
    withdrawn_at: dt.datetime | None = Field(
        None, description="when its file was deleted because it named a person whose data was erased"
    )


class ExportPage(Schema):
    items: list[ExportOut]
    count: int = Field(description=f"counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


def _out(kept: RecordExport) -> dict[str, Any]:
    job = kept.job
    kind = export_kind(kept.kind)
    return {
        "uuid": kept.uuid,
        "kind": kept.kind,
        "format": kept.format,
        "filters": kind.audited(kept.params) if kind else {},  # never echo a searched name
        "status": job.status if job else "",
        "progress": f"{job.done}/{job.total or '?'}" if job else "",
        "outcome": job.outcome if job else "",
        "rows": kept.rows,
        "requested_at": kept.requested_at,
        "file": bool(kept.file),
        "withdrawn_at": kept.withdrawn_at,
    }


@router.get("", response=ExportPage, summary="Your exports, newest first")
def list_exports(
    request: HttpRequest, limit: int = Query(25, ge=1, le=200), offset: int = Query(0, ge=0, le=100_000)
) -> dict[str, Any]:
    if not queries.may_export(request.user):
        raise PermissionDenied(_("Your role does not export records."))
    return page_out(queries.exports_of(request.user), limit, offset, _out)


@router.post("", response={201: ExportOut}, summary="Ask for an export of records (a job writes it)")
def create_export(request: HttpRequest, body: ExportIn) -> Status:
    kind = export_kind(body.kind)
    if kind is None:
        raise ValidationFailed(_("Choose what to export."), "kind")
    if not kind.may_export(request.user):
        raise PermissionDenied(_("Your role does not export these records."))
    # Country codes in any case, as GET /cases reads them ("gn" was "not one of the choices").
    filters = {
        name: value.upper() if name.endswith("country") and isinstance(value, str) else value
        for name, value in body.filters.items()
    }
    form = kind.form(request.user, data=filters)
    if not form.is_valid():
        errors: list[tuple[str | None, str]] = [
            ("filters" if name == "__all__" else f"filters.{name}", str(messages[0]))
            for name, messages in form.errors.items()
        ]
        raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)
    unknown = sorted(set(body.filters) - set(form.fields))
    if unknown:
        raise ValidationFailed(
            _("“%(name)s” is not a filter of these records.") % {"name": unknown[0]}, f"filters.{unknown[0]}"
        )
    kept = actions.request_export(
        request.user,
        kind_code=kind.code,
        filters=form.cleaned_data,
        file_format=body.format,
        labels=body.headers == "labels",
        language=translation.get_language() or "en",
    )
    kept.refresh_from_db()
    return Status(201, _out(kept))


def _own(request: HttpRequest, export_uuid: uuid_.UUID) -> RecordExport:
    kept = queries.export_for(request.user, export_uuid)
    if kept is None:
        raise NotFound()
    return kept


@router.get("/{export_uuid}", response=ExportOut, summary="An export")
def get_export(request: HttpRequest, export_uuid: uuid_.UUID) -> dict[str, Any]:
    return _out(_own(request, export_uuid))


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/{export_uuid}/file",
    response={200: None},
    summary="An export's file (CSV or XLSX)",
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
def export_file(request: HttpRequest, export_uuid: uuid_.UUID) -> HttpResponse:
    kept = _own(request, export_uuid)
    if not kept.file:
        raise NotFound(_("This file has not been written yet."))
    actions.export_downloaded(request.user, kept)
    content_type = "text/csv; charset=utf-8" if kept.format == "csv" else _XLSX
    response = HttpResponse(kept.file.open("rb").read(), content_type=content_type)
    name = f"remis-{kept.kind}-{kept.requested_at:%Y%m%d-%H%M}.{kept.format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
