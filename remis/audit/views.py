"""The audit log search page, for administrators."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from remis.accounts.permissions import GROUP_CHOICES, Perm
from remis.accounts.scope import has_perm
from remis.audit.exporting import export_entries
from remis.audit.models import ReadChannel
from remis.audit.presentation import describe_entries, reader_groups
from remis.audit.queries import case_uuid_for_reference, cases_out_of_sight, name_cases, search_entries
from remis.audit.reads import export_reads, may_review, search_reads
from remis.lib.pages import forbidden
from remis.lib.paging import paginate
from remis.lib.text import list_separator
from remis.lib.widgets import IsoDateInput


class PeriodForm(forms.Form):
    """A period's two ends, From and Until, both optional; an end before the start is named."""

    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=IsoDateInput)
    until = forms.DateField(label=gettext_lazy("Until"), required=False, widget=IsoDateInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned


class AuditSearchForm(PeriodForm):
    action = forms.CharField(
        label=gettext_lazy("Action"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": "case.transition"}),
        help_text=gettext_lazy("Words of its name, as listed below, or its code."),
    )
    # Part of either is enough (both matched exactly, and a miss read as "nobody opened it").
    username = forms.CharField(
        label=gettext_lazy("User"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("A user name, or part of one."),
    )
    case_reference = forms.CharField(
        label=gettext_lazy("Case reference"),
        required=False,
        max_length=32,
        # Exact (any case): a part such as "000002" is the number of a case in every
        # country and year; the help said a part would do, and found nothing.
        help_text=gettext_lazy("The case's whole reference, as on its page (GIN-2026-000123)."),
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    field_order = ["action", "username", "case_reference", "since", "until", "page"]


@login_required
def audit_search(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    if not (request.user.is_superuser or has_perm(request.user, Perm.AUDIT_VIEW_ALL)):
        return forbidden(request, _("Only administrators can search the audit log."))
    form = AuditSearchForm(request.POST or None)
    criteria: dict = {}
    page_number = 1
    if form.is_bound and form.is_valid():
        c = form.cleaned_data
        criteria = {
            "action": c["action"],
            "username": c["username"],
            "since": c["since"],
            "until": c["until"],
        }
        if c["case_reference"]:
            found = case_uuid_for_reference(request.user, c["case_reference"].strip())
            criteria["case_uuid"] = found or "00000000-0000-0000-0000-000000000000"
        page_number = c.get("page") or 1
        if "csv" in request.POST:  # every entry the filters select, as the pages show them
            response = StreamingHttpResponse(
                export_entries(request.user, criteria, c["case_reference"].strip()),
                content_type="text/csv; charset=utf-8",
            )
            stamp = timezone.localdate().isoformat()
            response["Content-Disposition"] = f'attachment; filename="remis-audit-log-{stamp}.csv"'
            return response
    selected = search_entries(request.user, **criteria)
    if form.is_bound and form.errors:  # refused filters select nothing, not everything
        selected = selected.none()
    page = paginate(selected, page_number, per_page=50)
    entries = name_cases(
        describe_entries(
            page.object_list,
            groups=reader_groups(request.user),
            unnamed=cases_out_of_sight(request.user, page.object_list),
        )
    )
    return render(
        request,
        "audit/search.html",
        {
            "form": form,
            "page": page,
            "entries": entries,
            # Entries about a case are shown to those who may see the case: say so to the
            # others (a data-protection focal point), who otherwise found none and no reason.
            "no_case_entries": not (request.user.is_superuser or has_perm(request.user, Perm.CASE_VIEW)),
        },
        status=400 if form.errors else 200,
    )


class ReadLogForm(PeriodForm):
    username = forms.CharField(label=gettext_lazy("User"), required=False, max_length=150)
    case_reference = forms.CharField(label=gettext_lazy("Case reference"), required=False, max_length=32)
    group = forms.ChoiceField(
        label=gettext_lazy("Sensitive group shown"),
        required=False,
        choices=[("", gettext_lazy("Any")), *GROUP_CHOICES],
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        required=False,
        choices=[("", gettext_lazy("Any")), *ReadChannel.choices],
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    field_order = ["username", "case_reference", "group", "channel", "since", "until", "page"]


READ_FILTERS = ("username", "case_reference", "group", "channel", "since", "until")


@login_required
def read_log(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Who opened which case and was shown which sensitive groups, for the organisation's
    data-protection focal point. Filters are sent in the body (a case reference stays out of
    URLs and access logs); "Download CSV" exports what the filters select."""
    if not may_review(request.user):
        return forbidden(
            request,
            _(
                "Only your organisation's data-protection focal point and administrators can review the read log."  # noqa: E501
            ),
        )
    form = ReadLogForm(request.POST or None)
    criteria: dict[str, Any] = {}
    page_number = 1
    if form.is_bound and form.is_valid():
        c = form.cleaned_data
        criteria = {
            key: c[key] for key in ("username", "case_reference", "group", "channel", "since", "until")
        }
        page_number = c.get("page") or 1
        if "csv" in request.POST:
            response = StreamingHttpResponse(
                export_reads(request.user, criteria), content_type="text/csv; charset=utf-8"
            )
            stamp = timezone.localdate().isoformat()
            response["Content-Disposition"] = f'attachment; filename="remis-read-log-{stamp}.csv"'
            return response
    found = search_reads(request.user, **criteria)
    if form.is_bound and form.errors:  # refused filters select nothing, not everything
        found = found.none()
    page = paginate(found, page_number, per_page=50)
    labels = dict(GROUP_CHOICES)
    separator = list_separator()  # the Arabic comma in Arabic
    rows = [(read, separator.join(str(labels.get(g, g)) for g in read.groups)) for read in page.object_list]
    return render(
        request,
        "audit/read_log.html",
        {"form": form, "page": page, "rows": rows},
        status=400 if form.errors else 200,
    )
