"""The report pages: they parse the filters, ask statistics.py, and render or download."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.lib.countries import country_name
from remis.lib.dates import moment_text
from remis.lib.pages import forbidden
from remis.lib.posted import posted_page
from remis.programmes.queries import visible_programmes
from remis.reports import exports, outcome_files
from remis.reports.annual import annual_report
from remis.reports.charts import bar_chart, bars, chart_note
from remis.reports.forms import AnnualReportForm, OutcomesForm, ProjectSummaryForm, ReturnStatisticsForm
from remis.reports.outcomes import Outcomes, outcomes
from remis.reports.process import process_indicators
from remis.reports.projects import Summary, project_summary
from remis.reports.research.requests import may_request as may_request_extract
from remis.reports.statistics import (
    CONFIDENTIAL_ONLY,
    DIMENSIONS,
    Edition,
    EditionRefused,
    Population,
    Table,
    breakdown,
    confidential_only,
    counted_from,
    cross_table,
    may_read_confidential,
)


def _filters_text(form: ReturnStatisticsForm, table: Table) -> list[tuple[str, str]]:
    data = form.cleaned_data
    filters = table.filters
    programmes = dict(form.fields["programme"].choices)  # type: ignore[attr-defined]
    text = [
        (_("Counted"), str(dict(Population.CHOICES)[filters.population])),
        (_("Period"), f"{date_format(filters.start)} – {date_format(filters.end)}"),
        (_("Programme"), str(programmes.get(data.get("programme") or "", ""))),
        (_("Host country"), country_name(data.get("host")) or _("All")),
        (_("Country of origin"), country_name(data.get("origin")) or _("All")),
        (_("Break down by"), str(table.dimension.label)),
        (_("Edition"), str(dict(Edition.CHOICES)[table.edition])),
    ]
    if table.column_dimension is not None:
        text.append((_("Across"), str(table.column_dimension.label)))
    if table.top:
        text.append((_("Only the first"), str(table.top)))
    return text


# Not kept by the browser: Back reloads the figures of that URL, with its filters in the form
# (a kept page would show the filters last chosen beside the previous figures).
@never_cache
@login_required
def return_statistics(request: HttpRequest) -> HttpResponse:
    if not grants_with(request.user, Perm.STATS_VIEW):
        return forbidden(request, _("Your role does not give access to statistics."))
    programmes = [(p.pk, p.name) for p in visible_programmes(request.user).order_by("name")]
    confidential = may_read_confidential(request.user)
    form = ReturnStatisticsForm(request.GET or None, programmes=programmes, confidential=confidential)
    context: dict[str, Any] = {"form": form, "table": None, "research_nav": may_request_extract(request.user)}
    if not form.is_bound:
        form = ReturnStatisticsForm(
            {
                "period": "year",
                "year": timezone.localdate().year,
                "population": Population.RETURNED,
                "by": "origin",
                "edition": Edition.CONFIDENTIAL if confidential else Edition.PUBLIC,
            },
            programmes=programmes,
            confidential=confidential,
        )
        context["form"] = form
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data.get("across"):
                table = cross_table(
                    request.user, data["filters"], data["by"], data["across"], data["edition"]
                )
            else:
                table = breakdown(request.user, data["filters"], data["by"], data.get("top"), data["edition"])
        except EditionRefused:  # the form offers only what the reader may read
            return forbidden(request, _("The confidential edition is for those who read case records."))
        if table is None:
            return forbidden(request, _("Your role does not give access to statistics."))
        download = request.GET.get("format")
        if download in ("hxl", "hxl-xlsx"):
            return _hxl_download(request, form, download)
        stem = (
            f"returns-{data['by']}-{table.filters.start.isoformat()}-{table.filters.end.isoformat()}"
            f"-{table.edition}"
        )
        if download == "csv":
            response = HttpResponse(exports.as_csv(table), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
            return response
        if download == "xlsx":
            response = HttpResponse(
                exports.as_xlsx(table, _filters_text(form, table)),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
            return response
        context.update(
            table=table,
            header=exports.header(table),
            body=exports.body(table),
            definition=exports.definition(table, _filters_text(form, table)),
            chart=None if table.columns else bar_chart(table),
            chart_note="" if table.columns else chart_note(table),
            total_persons=table.shown(table.total_persons, "persons" in table.hidden_totals),
            total_cases=table.shown(table.total_cases, "cases" in table.hidden_totals),
            query=_encode(form.data),
            dimensions=DIMENSIONS,
            hxl_offered=not ({data["by"], data.get("across")} & CONFIDENTIAL_ONLY),
        )
    return render(request, "reports/returns.html", context)


def _hxl_download(request: HttpRequest, form: ReturnStatisticsForm, kind: str) -> HttpResponse:
    """The table as HXL: always the public edition, whatever edition the page shows
    (`reports/hxl.py` says why)."""
    from remis.reports import hxl

    data = form.cleaned_data
    try:
        if data.get("across"):
            table = cross_table(request.user, data["filters"], data["by"], data["across"], Edition.PUBLIC)
        else:
            table = breakdown(request.user, data["filters"], data["by"], data.get("top"), Edition.PUBLIC)
    except EditionRefused:  # a breakdown by a sensitive group is never public
        return forbidden(
            request, confidential_only(data["by"] if data["by"] in CONFIDENTIAL_ONLY else data["across"])
        )
    if table is None:
        return forbidden(request, _("Your role does not give access to statistics."))
    stem = f"returns-{data['by']}-{table.filters.start.isoformat()}-{table.filters.end.isoformat()}-hxl"
    if kind == "hxl":
        response = HttpResponse(hxl.as_csv(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return response
    definition = [
        *exports.definition(table, _filters_text(form, table)),
        (_("Total persons"), str(table.shown(table.total_persons, "persons" in table.hidden_totals))),
        (_("Total cases (households)"), str(table.shown(table.total_cases, "cases" in table.hidden_totals))),
    ]
    response = HttpResponse(
        hxl.as_xlsx(table, definition),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    return response


def _encode(data: Any) -> str:
    from urllib.parse import urlencode

    return urlencode({k: data.get(k) for k in data if k != "format" and data.get(k) not in (None, "")})


@never_cache
@login_required
def annual_report_page(request: HttpRequest) -> HttpResponse:
    """The annual report for a year (and a programme), as a page or a PDF (`format=pdf`)."""
    from pathlib import Path

    from django.template.loader import render_to_string

    from remis.lib.pdf import PdfUnavailable, render_pdf

    if not grants_with(request.user, Perm.STATS_VIEW):
        return forbidden(request, _("Your role does not give access to statistics."))
    programmes = [(p.pk, p.name) for p in visible_programmes(request.user).order_by("name")]
    form = AnnualReportForm(
        request.GET or {"year": timezone.localdate().year},
        programmes=programmes,
        confidential=may_read_confidential(request.user),
    )
    context: dict[str, Any] = {"form": form, "report": None}
    if form.is_valid():
        data = form.cleaned_data
        try:
            report = annual_report(request.user, data["year"], data.get("programme"), data["edition"])
        except EditionRefused:
            return forbidden(request, _("The confidential edition is for those who read case records."))
        if report is None:
            return forbidden(request, _("Your role does not give access to statistics."))
        names = dict(programmes)
        year = report.year
        context.update(
            projects=project_summary(
                request.user, dt.date(year, 1, 1), dt.date(year, 12, 31), report.programme, report.threshold
            ),
            report=report,
            counted=counted_from(request.user),
            programme_name=names.get(report.programme) if report.programme else "",
            query=_encode(form.data),
        )
        if request.GET.get("format") == "pdf":
            html = render_to_string("reports/annual_pdf.html", context, request=request)
            try:
                pdf = render_pdf(
                    html, request.build_absolute_uri("/"), Path(__file__).with_name("pdf") / "report.css"
                )
            except PdfUnavailable:
                return render(request, "reports/annual.html", {**context, "pdf_missing": True}, status=503)
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = (
                f'attachment; filename="annual-report-{report.year}-{report.edition}.pdf"'
            )
            return response
    return render(request, "reports/annual.html", context)


@never_cache
@login_required
def outcome_analytics(request: HttpRequest) -> HttpResponse:
    """Scores at each monitoring round for a cohort of returnees, with attrition beside them."""
    if not grants_with(request.user, Perm.STATS_VIEW):
        return forbidden(request, _("Your role does not give access to statistics."))
    programmes = [(p.pk, p.name) for p in visible_programmes(request.user).order_by("name")]
    data = request.GET or {
        "period": "range",
        "start": f"{timezone.localdate().year - 3}-01-01",
        "end": timezone.localdate().isoformat(),
    }
    form = OutcomesForm(data, programmes=programmes, confidential=may_read_confidential(request.user))
    context: dict[str, Any] = {"form": form, "result": None}
    if form.is_valid():
        result = outcomes(request.user, form.cleaned_data["filters"], form.cleaned_data.get("by") or "")
        if result is None:
            return forbidden(request, _("Your role does not give access to statistics."))
        download = request.GET.get("format")
        if download in ("csv", "xlsx"):
            process = (
                process_indicators(request.user, form.cleaned_data["filters"], result.attrition)
                if download == "xlsx"
                else None
            )
            return _outcome_download(form, result, download, process)
        context["result"] = result
        context["query"] = _encode(form.data)
        context["process"] = process_indicators(request.user, form.cleaned_data["filters"], result.attrition)
        # The period and the moment the figures stand at, as the downloads' definition says
        # them: the page stated neither (the period was only in the form's date boxes).
        context["definition"] = outcome_files.definition(result, _outcome_filters_text(form, result))
    return render(request, "reports/outcomes.html", context)


def _outcome_filters_text(form: OutcomesForm, result: Outcomes) -> list[tuple[str, str]]:
    filters = result.filters
    programmes = dict(form.fields["programme"].choices)  # type: ignore[attr-defined]
    return [
        (_("Period"), f"{date_format(filters.start)} – {date_format(filters.end)}"),
        (_("Programme"), str(programmes.get(form.cleaned_data.get("programme") or "", ""))),
        (
            _("Compare by"),
            str(result.group_label) if result.group else _("Nothing: all returnees together"),
        ),
    ]


def _outcome_download(form: OutcomesForm, result: Outcomes, kind: str, process: Any = None) -> HttpResponse:
    filters = result.filters
    stem = f"outcomes-{filters.start.isoformat()}-{filters.end.isoformat()}"
    if kind == "csv":
        response = HttpResponse(outcome_files.scores_csv(result), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            outcome_files.outcomes_xlsx(result, _outcome_filters_text(form, result), process),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{stem}.{kind}"'
    return response


def _summary_definition(summary: Summary, programme_name: str) -> list[tuple[str, str]]:
    period = (
        f"{date_format(summary.start)} – {date_format(summary.end)}"
        if summary.start and summary.end
        else _("Every year")
    )
    return [
        (
            _("Counted"),
            _("Community projects you may read, cancelled ones aside, that ran during the period"),
        ),
        (_("Period"), period),
        (_("Programme"), programme_name or _("All programmes you see")),
        (
            _("Returnees"),
            _("Returnees taking part, through their cases; one returnee in two projects counts once"),
        ),
        (_("Figures as of"), moment_text(summary.as_of)),
    ]


@never_cache
@login_required
def project_summary_page(request: HttpRequest) -> HttpResponse:
    """Community projects by country, type and framework, with the totals the seed reports
    print; downloads as CSV (by country) and XLSX (every table and the definition)."""
    if not grants_with(request.user, Perm.STATS_VIEW):
        return forbidden(request, _("Your role does not give access to statistics."))
    programmes = [(p.pk, p.name) for p in visible_programmes(request.user).order_by("name")]
    form = ProjectSummaryForm(request.GET, programmes=programmes)
    context: dict[str, Any] = {"form": form, "summary": None}
    if form.is_valid():
        year, programme = form.cleaned_data.get("year"), form.cleaned_data.get("programme")
        start, end = (dt.date(year, 1, 1), dt.date(year, 12, 31)) if year else (None, None)
        summary = project_summary(request.user, start, end, programme)
        definition = _summary_definition(summary, dict(programmes).get(programme, "") if programme else "")
        download = request.GET.get("format")
        stem = f"community-projects-{year or 'all-years'}"
        if download == "csv":
            response = HttpResponse(exports.projects_csv(summary), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
            return response
        if download == "xlsx":
            response = HttpResponse(
                exports.projects_xlsx(summary, definition),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
            return response
        context.update(
            summary=summary,
            definition=definition,
            chart=bars([(r.label, r.projects) for r in summary.by_country], _("Country"), _("Projects")),
            query=_encode(form.data),
        )
    return render(request, "reports/projects.html", context)


@login_required
def package_list(request: HttpRequest) -> HttpResponse:
    """Ask for a report package (a job builds it) and read one's own packages."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from remis.cases.views.common import apply_errors
    from remis.lib.errors import DomainError
    from remis.lib.paging import paginate
    from remis.reports.forms import PackageForm
    from remis.reports.packages import may_request, readable_packages, request_package

    if not may_request(request.user):
        return forbidden(request, _("Your role does not give access to statistics."))
    programmes = [(p.pk, p.name) for p in visible_programmes(request.user).order_by("name")]
    confidential = may_read_confidential(request.user)
    form = PackageForm(programmes=programmes, confidential=confidential)
    if request.method == "POST":
        form = PackageForm(request.POST, programmes=programmes, confidential=confidential)
        if form.is_valid():
            data = form.cleaned_data
            try:
                request_package(
                    request.user,
                    kind=data["kind"],
                    year=data["year"],
                    quarter=data.get("quarter"),
                    programme=data.get("programme"),
                    origin=data.get("origin") or "",
                    edition=data.get("edition") or None,
                )
            except DomainError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The package is being built: this page shows its progress."))
                return redirect("package_list")
    number = request.GET.get("page", "1")
    page = paginate(readable_packages(request.user), posted_page(number))
    polling = any(p.job is not None and p.job.is_active for p in page.object_list)
    return render(
        request,
        "reports/packages.html",
        {"form": form, "page": page, "polling": polling, "research_nav": may_request_extract(request.user)},
    )


@login_required
def package_detail(request: HttpRequest, package_uuid: Any) -> HttpResponse:
    from django.http import Http404

    from remis.reports.packages import definition, readable_packages

    package = readable_packages(request.user).filter(uuid=package_uuid).first()
    if package is None:
        raise Http404  # another person's package: figures within their scope
    return render(
        request,
        "reports/package_detail.html",
        {"package": package, "definition": definition(package) if package.snapshot else []},
    )


@login_required
def package_file(request: HttpRequest, package_uuid: Any, kind: str) -> HttpResponseBase:
    from django.http import FileResponse, Http404

    from remis.reports.packages import file_stem, readable_packages

    package = readable_packages(request.user).filter(uuid=package_uuid).first()
    if package is None or kind not in ("pdf", "xlsx") or not getattr(package, kind):
        raise Http404
    stored = getattr(package, kind)
    return FileResponse(stored.open("rb"), as_attachment=True, filename=f"{file_stem(package)}.{kind}")


@login_required
def research_extract_list(request: HttpRequest) -> HttpResponse:
    """Ask for a research extract (a job builds it) and read one's own extracts."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from remis.cases.views.common import apply_errors
    from remis.lib.errors import DomainError
    from remis.lib.paging import paginate
    from remis.reports.forms import ResearchExtractForm
    from remis.reports.research.requests import may_request, readable_extracts, request_extract

    if not may_request(request.user):
        return forbidden(request, _("Your role does not give access to research extracts."))
    programmes = [(p.pk, p.name) for p in visible_programmes(request.user).order_by("name")]
    form = ResearchExtractForm(programmes=programmes)
    if request.method == "POST":
        form = ResearchExtractForm(request.POST, programmes=programmes)
        if form.is_valid():
            data = form.cleaned_data
            try:
                request_extract(
                    request.user,
                    start=data["start"],
                    end=data["end"],
                    programme=data.get("programme"),
                    origin=data.get("origin") or "",
                    k=data["k"],
                )
            except DomainError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The extract is being built: this page shows its progress."))
                return redirect("research_extract_list")
    number = request.GET.get("page", "1")
    page = paginate(readable_extracts(request.user), posted_page(number))
    polling = any(e.job is not None and e.job.is_active for e in page.object_list)
    return render(request, "reports/research_extracts.html", {"form": form, "page": page, "polling": polling})


@login_required
def research_extract_detail(request: HttpRequest, extract_uuid: Any) -> HttpResponse:
    from django.http import Http404

    from remis.reports.research.requests import protection_text, readable_extracts

    extract = readable_extracts(request.user).filter(uuid=extract_uuid).first()
    if extract is None:
        raise Http404  # another person's extract: rows within their scope
    return render(
        request,
        "reports/research_extract_detail.html",
        {"extract": extract, "definition": protection_text(extract)},
    )


@login_required
def research_extract_file(request: HttpRequest, extract_uuid: Any, kind: str) -> HttpResponseBase:
    from django.http import FileResponse, Http404

    from remis.reports.research.requests import readable_extracts

    extract = readable_extracts(request.user).filter(uuid=extract_uuid).first()
    if extract is None or kind not in ("csv", "xlsx") or not getattr(extract, kind):
        raise Http404
    name = f"research-extract-{extract.start.isoformat()}-{extract.end.isoformat()}.{kind}"
    response = FileResponse(getattr(extract, kind).open("rb"), as_attachment=True, filename=name)
    if kind == "csv":
        # Said, as every other CSV of REMIS says it (guessed from the name, it said none).
        response["Content-Type"] = "text/csv; charset=utf-8"
    return response
