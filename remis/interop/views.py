"""The import pages: upload a file of records (with its template to start from), map its
columns when its headers differ, follow the job, read and download the report, run again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from remis.interop import actions, queries
from remis.interop.blank_files import template_csv, template_xlsx
from remis.interop.errors import UnreadableFile
from remis.interop.importing import IGNORE, entities, entity_for, suggested_mapping
from remis.interop.jobs import outcome_in_reader_language
from remis.interop.models import ImportMode, RecordImport
from remis.jobs.actions import recover_interrupted
from remis.lib.errors import DomainError
from remis.lib.forms import show_refusal
from remis.lib.pages import forbidden
from remis.lib.paging import paginate
from remis.lib.posted import posted_page


class UploadForm(forms.Form):
    entity = forms.ChoiceField(label=gettext_lazy("Records"))
    organisation = forms.ChoiceField(label=gettext_lazy("For the organisation"))
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (UTF-8 or UTF-16; ; , or tab) or XLSX, one record a row, headers in row 1"
        ),
    )
    sheet = forms.CharField(
        label=gettext_lazy("Sheet"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("For a workbook: the sheet to read; empty, the first one"),
    )
    mapping = forms.ChoiceField(label=gettext_lazy("Saved column mapping"), required=False)
    mode = forms.ChoiceField(
        label=gettext_lazy("What to do"),
        choices=ImportMode.choices,
        initial=ImportMode.CHECK,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Check a file first: nothing is written, and the report lists every refused row."
        ),
    )

    def __init__(self, actor: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("entity", [(e.code, str(e.label)) for e in entities()])
        self._choices("organisation", [(str(o.pk), o.name) for o in queries.importing_organisations(actor)])
        saved = [(str(m.uuid), f"{m.name} · {m.organisation.name}") for m in queries.mappings_for(actor)]
        self._choices("mapping", [("", _("None: the headers are the columns' names")), *saved])

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


def page_number(request: HttpRequest) -> int:
    text = request.GET.get("page", "1")
    return posted_page(text)


@login_required
def import_records(request: HttpRequest) -> HttpResponse:
    if not queries.may_import(request.user):
        return forbidden(request, _("Your role does not import records."))
    form = UploadForm(request.user, auto_id="records-%s")
    if request.method == "POST":
        form = UploadForm(request.user, request.POST, request.FILES, auto_id="records-%s")
        if form.is_valid():
            kept = _upload(request, form)
            if kept is not None:
                if kept.job_id is None:
                    return redirect("record_import_map", kept.uuid)
                messages.success(
                    request, _("The file is uploaded: it is being read now; this page shows how far.")
                )
                return redirect("record_import_detail", kept.uuid)
    recover_interrupted()  # an import whose worker was killed: failed, and offered again
    page = paginate(queries.imports_of(request.user), page_number(request))
    polling = any(i.job is not None and i.job.is_active for i in page.object_list)
    labels = {e.code: e.label for e in entities()}
    for kept in page.object_list:
        kept.entity_label = labels.get(kept.entity, kept.entity)
        kept.outcome = outcome_in_reader_language(kept)
    context = {"form": form, "page": page, "polling": polling, "entities": entities()}
    return render(request, "interop/imports.html", context)


def _upload(request: HttpRequest, form: UploadForm) -> RecordImport | None:
    data = form.cleaned_data
    organisation = next(
        o for o in queries.importing_organisations(request.user) if str(o.pk) == data["organisation"]
    )
    mapping: dict[str, str] = {}
    if data["mapping"]:
        saved = queries.mappings_for(request.user, data["entity"]).filter(uuid=data["mapping"]).first()
        if saved is None or saved.organisation_id != organisation.pk:
            form.add_error("mapping", _("Choose a mapping of these records kept by this organisation."))
            return None
        mapping = saved.mapping
    try:
        return actions.upload_records(
            request.user,
            organisation,
            entity_code=data["entity"],
            upload=data["file"],
            mode=data["mode"],
            mapping=mapping,
            sheet=data["sheet"],
        )
    except DomainError as error:
        show_refusal(form, error)
        return None


def _own(request: HttpRequest, import_uuid: str) -> RecordImport:
    recover_interrupted()  # an import whose worker was killed: failed, and offered again
    kept = queries.import_for(request.user, import_uuid)
    if kept is None:
        raise Http404  # another person's import: its file and report quote records
    return kept


class MappingForm(forms.Form):
    save_as = forms.CharField(
        label=gettext_lazy("Keep this mapping as"),
        required=False,
        max_length=actions.MAPPING_NAME,
        help_text=gettext_lazy("A name, to choose it for the next file from the same source"),
    )

    def __init__(
        self,
        header: list[str],
        targets: list[tuple[str, str]],
        initial_map: dict[str, Any],
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.header = header
        for i, name in enumerate(header):
            self.fields[f"column_{i}"] = forms.ChoiceField(
                label=name, choices=targets, required=False, initial=initial_map.get(name) or IGNORE
            )

    def mapping(self) -> dict[str, str]:
        return {name: self.cleaned_data[f"column_{i}"] for i, name in enumerate(self.header)}


@login_required
def import_map(request: HttpRequest, import_uuid: str) -> HttpResponse:
    kept = _own(request, import_uuid)
    if kept.job_id is not None:
        if request.method == "POST":
            # A second tab's confirmation: it went to the report without a word, its
            # mapping and the name typed to keep it silently dropped.
            messages.warning(
                request,
                _(
                    "This import had already started, from another tab or window, with the columns "
                    "confirmed there: the columns sent now were not used and no mapping was saved. "
                    "Upload the file again to read it with other columns."
                ),
            )
        return redirect("record_import_detail", kept.uuid)
    entity = entity_for(kept.entity)
    if entity is None:
        raise Http404
    if not kept.file:  # removed with an erasure before its columns were confirmed
        messages.error(
            request,
            _(
                "The file was removed when someone's data was erased from a case your organisation "
                "holds (it could have named them): upload it again to run it."
            ),
        )
        return redirect("record_imports")
    try:
        with kept.file.open("rb") as handle:
            header = actions.read_header(handle, kept.filename, kept.sheet)
    except UnreadableFile as error:
        messages.error(request, error.message)
        return redirect("record_imports")
    targets = [(IGNORE, _("— not imported —")), *((c.name, f"{c.name} · {c.label}") for c in entity.columns)]
    initial = {**{k: v for k, v in suggested_mapping(entity, header).items() if v}, **kept.mapping}
    form = MappingForm(header, targets, initial, auto_id="map-%s")
    if request.method == "POST":
        form = MappingForm(header, targets, initial, request.POST, auto_id="map-%s")
        if form.is_valid():
            try:
                actions.confirm_mapping(
                    request.user, kept, form.mapping(), header=header, save_as=form.cleaned_data["save_as"]
                )
            except DomainError as error:
                for column, message in error.errors:
                    index = header.index(column) if column in header else None
                    form.add_error(f"column_{index}" if index is not None else None, message)
            else:
                messages.success(request, _("The mapping is confirmed: the file is being read now."))
                return redirect("record_import_detail", kept.uuid)
    required = [c for c in entity.columns if c.required]
    return render(
        request,
        "interop/import_map.html",
        {"kept": kept, "entity": entity, "form": form, "required": required},
    )


class RunAgainForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("What to do"), choices=ImportMode.choices, widget=forms.RadioSelect
    )


@login_required
def import_detail(request: HttpRequest, import_uuid: str) -> HttpResponse:
    kept = _own(request, import_uuid)
    result = (kept.job.result if kept.job else None) or {}
    again = RunAgainForm(
        initial={"mode": ImportMode.VALID_ROWS if kept.mode == ImportMode.CHECK else kept.mode},
        auto_id="again-%s",
    )
    context = {
        "kept": kept,
        "job": kept.job,
        "outcome": outcome_in_reader_language(kept),
        "result": result,
        "again": again,
        "entity": entity_for(kept.entity),
    }
    return render(request, "interop/import_detail.html", context)


@login_required
@require_POST
def import_run_again(request: HttpRequest, import_uuid: str) -> HttpResponse:
    kept = _own(request, import_uuid)
    form = RunAgainForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to check only, import the valid rows or all or nothing."))
        return redirect("record_import_detail", kept.uuid)
    try:
        actions.run_again(request.user, kept, form.cleaned_data["mode"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The file is being read again."))
    return redirect("record_import_detail", kept.uuid)


@login_required
@require_POST
def import_delete(request: HttpRequest, import_uuid: str) -> HttpResponse:
    kept = _own(request, import_uuid)
    try:
        actions.delete_import(request.user, kept)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("record_import_detail", kept.uuid)
    messages.success(request, _("The upload, its file and its report are deleted."))
    return redirect("record_imports")


@login_required
def import_report(request: HttpRequest, import_uuid: str) -> HttpResponse | FileResponse:
    kept = _own(request, import_uuid)
    if not kept.report:
        raise Http404
    name = f"report-{kept.entity}-{kept.uploaded_at:%Y%m%d-%H%M}.csv"
    return FileResponse(
        kept.report.open("rb"), as_attachment=True, filename=name, content_type="text/csv; charset=utf-8"
    )


@login_required
def import_template(request: HttpRequest, entity_code: str, kind: str) -> HttpResponse:
    if not queries.may_import(request.user):
        return forbidden(request, _("Your role does not import records."))
    entity = entity_for(entity_code)
    if entity is None or kind not in ("csv", "xlsx"):
        raise Http404
    if kind == "csv":
        response = HttpResponse(template_csv(entity, request.user), content_type="text/csv; charset=utf-8")
    else:
        labels = {
            "sheet": _("Columns"),
            "column": _("Column"),
            "label": _("Meaning"),
            "required": _("Required"),
            "codes": _("Allowed codes"),
            "help": _("How to fill it"),
            "yes": _("yes"),
        }
        response = HttpResponse(
            template_xlsx(entity, request.user, labels=labels),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="remis-{entity.code}-template.{kind}"'
    return response
