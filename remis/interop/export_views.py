"""The export pages: choose what to export with the filters of its kind (the case list's
own, when "Export" is clicked there), follow the job, download the file, delete it."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from remis.interop import actions, queries
from remis.interop.exporting import describe, export_kind, export_kinds
from remis.interop.jobs import rows_written
from remis.interop.models import ExportFormat, RecordExport
from remis.interop.views import page_number
from remis.lib.errors import DomainError
from remis.lib.forms import show_refusal
from remis.lib.pages import forbidden
from remis.lib.paging import paginate


class FileForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=ExportFormat.choices,
        initial=ExportFormat.XLSX,
        widget=forms.RadioSelect,
    )
    headers = forms.ChoiceField(
        label=gettext_lazy("Headers"),
        choices=[
            ("codes", gettext_lazy("Codes (stable names, the import's columns)")),
            ("labels", gettext_lazy("Labels in your language")),
        ],
        initial="codes",
        widget=forms.RadioSelect,
    )


@login_required
def export_records(request: HttpRequest) -> HttpResponse:
    if not queries.may_export(request.user):
        return forbidden(request, _("Your role does not export records."))
    page = paginate(queries.exports_of(request.user), page_number(request))
    polling = any(e.job is not None and e.job.is_active for e in page.object_list)
    kinds = [k for k in export_kinds() if k.may_export(request.user)]
    labels = {k.code: k.label for k in export_kinds()}
    for kept in page.object_list:
        kept.kind_label = labels.get(kept.kind, kept.kind)
    context = {
        "page": page,
        "polling": polling,
        "kinds": kinds,
        "keep_days": settings.REMIS_EXPORTS_KEEP_DAYS,
    }
    return render(request, "interop/exports.html", context)


@login_required
def export_new(request: HttpRequest, kind_code: str) -> HttpResponse:
    kind = export_kind(kind_code)
    if kind is None:
        raise Http404
    if not kind.may_export(request.user):
        return forbidden(request, _("Your role does not export these records."))
    if request.method == "POST":
        form = kind.form(request.user, data=request.POST)
        file_form = FileForm(request.POST, auto_id="file-%s")
        if form.is_valid() and file_form.is_valid():
            try:
                kept = actions.request_export(
                    request.user,
                    kind_code=kind.code,
                    filters=form.cleaned_data,
                    file_format=file_form.cleaned_data["format"],
                    labels=file_form.cleaned_data["headers"] == "labels",
                    language=translation.get_language() or "en",
                )
            except DomainError as error:
                show_refusal(form, error)
            else:
                return redirect("record_export_detail", kept.uuid)  # its page shows how far it is
    else:
        form = kind.form(request.user, initial=kind.initial(request))
        file_form = FileForm(auto_id="file-%s")
    return render(request, "interop/export_new.html", {"kind": kind, "form": form, "file_form": file_form})


def _own(request: HttpRequest, export_uuid: str) -> RecordExport:
    kept = queries.export_for(request.user, export_uuid)
    if kept is None:
        raise Http404  # another person's export: its file quotes records
    return kept


@login_required
def export_detail(request: HttpRequest, export_uuid: str) -> HttpResponse:
    kept = _own(request, export_uuid)
    kind = export_kind(kept.kind)
    context = {
        "kept": kept,
        "job": kept.job,
        "kind": kind,
        "filters": describe(kind, request.user, kept.params) if kind else "",
        # Said in the reader's language from the count kept, not as stored when it ran.
        "outcome": rows_written(kept.rows)
        if kept.rows is not None
        else (kept.job.outcome if kept.job else ""),
    }
    return render(request, "interop/export_detail.html", context)


@login_required
def export_file(request: HttpRequest, export_uuid: str) -> HttpResponse | FileResponse:
    kept = _own(request, export_uuid)
    if not kept.file:
        raise Http404
    actions.export_downloaded(request.user, kept)
    name = f"remis-{kept.kind}-{kept.requested_at:%Y%m%d-%H%M}.{kept.format}"
    content_type = (
        "text/csv; charset=utf-8"
        if kept.format == ExportFormat.CSV
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = FileResponse(
        kept.file.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
    response["Cache-Control"] = "no-store"  # personal data: no cache keeps a copy
    return response


@login_required
@require_POST
def export_delete(request: HttpRequest, export_uuid: str) -> HttpResponse:
    kept = _own(request, export_uuid)
    try:
        actions.delete_export(request.user, kept)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("record_export_detail", kept.uuid)
    messages.success(request, _("The export and its file are deleted."))
    return redirect("record_exports")
