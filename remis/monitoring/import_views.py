"""The imports page: upload a KoBoToolbox or ODK Central export of an instrument (the job
imports it with progress) and read the uploader's own imports and their reports."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from remis.cases.views.common import apply_errors
from remis.jobs.actions import recover_interrupted
from remis.lib.errors import DomainError
from remis.lib.pages import forbidden
from remis.lib.paging import paginate
from remis.lib.posted import posted_page
from remis.monitoring.imports import delete_upload, may_import, problem_groups, report_csv, upload_submissions
from remis.monitoring.models import Instrument, SubmissionUpload
from remis.monitoring.responses import title_of


class UploadForm(forms.Form):
    instrument = forms.ChoiceField(label=gettext_lazy("Instrument"))
    file = forms.FileField(
        label=gettext_lazy("Export file"),
        help_text=gettext_lazy("CSV (; or ,), XLSX, or ODK Central's zip, with XML names as column headers"),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["instrument"]
        assert isinstance(field, forms.ChoiceField)
        # Chosen on purpose: the first instrument, preselected, was not the one most files
        # answer, and a file read against the wrong one is refused whole.
        # An earlier version says so: a file answering today's form read against it was
        # scored with weights no longer in force (kept for files collected with its form).
        field.choices = [("", "—")] + [
            (str(i.pk), f"{title_of(i)} · v{i.version}" + ("" if i.active else f" ({_('Earlier version')})"))
            for i in Instrument.objects.order_by("code", "-version")
        ]


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    if not may_import(request.user):
        return forbidden(request, _("Your role does not record monitoring."))
    form = UploadForm(auto_id="import-%s")
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, auto_id="import-%s")
        if form.is_valid():
            instrument = Instrument.objects.get(pk=form.cleaned_data["instrument"])
            try:
                upload_submissions(request.user, instrument, form.cleaned_data["file"])
            except DomainError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, _("The file is uploaded: its import runs now; this page shows its progress.")
                )
                return redirect("import_list")
    recover_interrupted()  # an import whose worker was killed: failed, not running for ever
    page_number = request.GET.get("page", "1")
    uploads = SubmissionUpload.objects.filter(uploaded_by_id=request.user.pk).select_related(
        "instrument", "job"
    )
    page = paginate(uploads, posted_page(page_number))
    polling = any(u.job is not None and u.job.is_active for u in page.object_list)
    for upload in page.object_list:
        upload.instrument_title = title_of(upload.instrument)
    return render(request, "monitoring/imports.html", {"form": form, "page": page, "polling": polling})


def _own_upload(request: HttpRequest, upload_uuid: str) -> SubmissionUpload:
    recover_interrupted()  # an import whose worker was killed: failed, not running for ever
    upload = (
        SubmissionUpload.objects.filter(uuid=upload_uuid, uploaded_by_id=request.user.pk)
        .select_related("instrument", "job")
        .first()
    )
    if upload is None:
        raise Http404  # another person's import: its report quotes rows about returnees
    return upload


@login_required
def import_report(request: HttpRequest, upload_uuid: str) -> HttpResponse:
    upload = _own_upload(request, upload_uuid)
    result = (upload.job.result if upload.job else None) or {}
    if not result.get("problems") and not result.get("outside_rounds"):
        raise Http404
    response = HttpResponse(report_csv(result), content_type="text/csv; charset=utf-8")
    name = f"report-{upload.instrument.code}-{upload.uploaded_at:%Y%m%d-%H%M}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def import_detail(request: HttpRequest, upload_uuid: str) -> HttpResponse:
    upload = _own_upload(request, upload_uuid)
    result = (upload.job.result if upload.job else None) or {}
    return render(
        request,
        "monitoring/import_detail.html",
        {
            "upload": upload,
            "job": upload.job,
            "result": result,
            "problem_groups": problem_groups(result),
        },
    )


@login_required
@require_POST
def import_delete(request: HttpRequest, upload_uuid: str) -> HttpResponse:
    upload = _own_upload(request, upload_uuid)
    try:
        delete_upload(request.user, upload)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("import_detail", upload.uuid)
    messages.success(
        request, _("The upload, its file and its report are deleted; the responses it imported stay.")
    )
    return redirect("import_list")
