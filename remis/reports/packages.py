"""Report packages: a quarterly or annual report, for all the programmes a reader counts or
one of them, for every country of origin or one, in an edition, built by a background job.

`request_package` checks and records the request and starts the job; the job
(`build_package`) computes the report's figures (annual.period_report: the annual report's
tables for the period, hidden together for the public edition), keeps them as printed — the
snapshot, with the time the analytics path had caught up to — and renders the PDF (with its
bar charts as SVG, no script, no CDN) and the XLSX (one sheet per table and a definition
sheet) from the snapshot. Rendering again from the snapshot (`render_files`) gives the same
figures whatever changed since: a package is reproducible from its as-of time."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.audit.actions import record
from remis.jobs.registry import JobFailed, JobKind, Outcome, register_job_kind
from remis.lib.countries import country_name, is_country
from remis.lib.errors import PermissionDenied, ValidationFailed
from remis.lib.text import list_separator
from remis.reports.annual import AnnualReport, Section, period_report
from remis.reports.models import PackageKind, ReportPackage
from remis.reports.statistics import EARLIEST_YEAR, Edition, EditionRefused, counted_from, edition_for

BUILD = "reports.package"
QUARTER_MONTHS = {1: (1, 3), 2: (4, 6), 3: (7, 9), 4: (10, 12)}


def may_request(actor: Any) -> bool:
    return bool(getattr(actor, "is_superuser", False) or grants_with(actor, Perm.STATS_VIEW))


def period_of(kind: str, year: int, quarter: int | None) -> tuple[dt.date, dt.date]:
    if kind == PackageKind.ANNUAL:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    first, last = QUARTER_MONTHS[quarter or 1]
    end = dt.date(year + (last == 12), last % 12 + 1, 1) - dt.timedelta(days=1)
    return dt.date(year, first, 1), end


def period_label(package: ReportPackage) -> str:
    from django.utils.formats import date_format

    if package.kind == PackageKind.ANNUAL:
        return str(package.year)
    first, last = period_of(package.kind, package.year, package.quarter)
    return f"{date_format(first, 'F')}–{date_format(last, 'F')} {package.year}"


def request_package(
    actor: Any,
    *,
    kind: str,
    year: int,
    quarter: int | None = None,
    programme: int | None = None,
    origin: str = "",
    edition: str | None = None,
) -> ReportPackage:
    """Check a request, record it and start the job building it. Raises PermissionDenied
    (no statistics, or the confidential edition for someone who may not read it) or
    ValidationFailed naming the field."""
    from remis.jobs.actions import start_job
    from remis.programmes.queries import visible_programmes

    if not may_request(actor):
        raise PermissionDenied(_("Your role does not give access to statistics."))
    errors: list[tuple[str | None, str]] = []
    if kind not in PackageKind.values:
        errors.append(("kind", _("Choose annual or quarterly.")))
    today = timezone.localdate()
    if not EARLIEST_YEAR <= year <= today.year:
        errors.append(
            (
                "year",
                _("Enter a year from %(first)s to %(last)s.") % {"first": EARLIEST_YEAR, "last": today.year},
            )
        )
    if kind == PackageKind.QUARTERLY and quarter not in QUARTER_MONTHS:
        errors.append(("quarter", _("Choose the quarter.")))
    if kind == PackageKind.ANNUAL:
        quarter = None
    if programme is not None and not visible_programmes(actor).filter(pk=programme).exists():
        errors.append(("programme", _("Choose a programme you can see.")))
    origin = (origin or "").strip().upper()
    if origin and not is_country(origin):
        errors.append(("origin", _("Choose a country from the list.")))
    if errors:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=list(errors))
    try:
        chosen = edition_for(actor, edition)
    except EditionRefused:
        raise PermissionDenied(_("The confidential edition is for those who read case records.")) from None
    with transaction.atomic():
        # The same request sent twice (a double click, Back then the button) while its
        # package is still being built gets that package, not a second build. The
        # requester's row, locked, makes two such sends at once take turns.
        from remis.accounts.models import User
        from remis.jobs.models import ACTIVE_STATUSES

        User.objects.select_for_update().filter(pk=actor.pk).first()
        asked: dict[str, Any] = {
            "requested_by": actor,
            "kind": kind,
            "year": year,
            "quarter": quarter,
            "programme_id": programme,
            "origin": origin,
            "edition": chosen,
            "language": translation.get_language() or "en",
        }
        building = ReportPackage.objects.filter(**asked, job__status__in=ACTIVE_STATUSES).first()
        if building is not None:
            return building
        package = ReportPackage.objects.create(**asked)
        record(
            actor,
            "reports.package",
            package,
            changes={
                "kind": [None, kind],
                "period": [None, str(package)],
                "programme": [None, programme],
                "origin": [None, origin or None],
                "edition": [None, chosen],
            },
        )
        package.job = start_job(actor, BUILD, {"package": str(package.uuid)})
        ReportPackage.objects.filter(pk=package.pk).update(job=package.job)
    return package


def build_package(job: Any) -> Outcome:
    package = ReportPackage.objects.filter(uuid=job.params.get("package")).first()
    if package is None:
        raise JobFailed(_("The package asked for is no longer there."))
    job.report(0, 3)
    first, last = period_of(package.kind, package.year, package.quarter)
    with translation.override(package.language):
        try:
            report = period_report(
                job.owner,
                first,
                last,
                package.programme_id,
                package.origin,
                package.edition,
                label=period_label(package),
            )
        except EditionRefused:  # the owner's role changed since the request
            raise JobFailed(_("The confidential edition is for those who read case records.")) from None
        if report is None:
            raise JobFailed(_("Your role does not give access to statistics."))
        package.snapshot = snapshot(report)
        package.snapshot["counted"] = counted_from(job.owner)  # by name: the file is handed on
        if package.kind == PackageKind.ANNUAL and not package.origin:
            # As the annual report has them (its package had no community projects).
            from remis.reports.projects import project_summary

            summary = project_summary(job.owner, first, last, package.programme_id, report.threshold)
            package.snapshot["projects"] = projects_snapshot(summary) if summary.projects else None
        package.as_of = report.as_of
        package.save(update_fields=["snapshot", "as_of"])
        job.report(1, 3)
        render_files(package, progress=lambda done: job.report(1 + done, 3))
        files = [name for name, field in (("PDF", package.pdf), ("XLSX", package.xlsx)) if field]
        message = ready_message({"files": files})  # in the language of its files
    return Outcome(message, {"package": str(package.uuid), "files": files})


def projects_snapshot(summary: Any) -> dict[str, Any]:
    """The community projects summary as printed (hidden counts as "<5" or "x"), in JSON."""

    def row(found: Any) -> dict[str, Any]:
        return {
            "key": found.key,
            "label": found.label,
            **{name: getattr(found, name) for name in ("projects", "preparation", "ongoing", "completed")},
            "shown": dict(found.shown),
        }

    return {
        "projects": summary.projects,
        "countries": summary.countries,
        "threshold": summary.threshold,
        "shown": dict(summary.shown),
        "by_country": [row(r) for r in summary.by_country],
    }


def ready_message(result: dict[str, Any]) -> str:
    """The build's outcome, from its result (the Jobs page says it in the reader's language)."""
    return _("The package is ready: %(files)s.") % {"files": list_separator().join(result["files"])}


def snapshot(report: AnnualReport) -> dict[str, Any]:
    """The report's figures as printed (hidden counts as "<5" or "x"), in JSON."""

    def section(found: Section) -> dict[str, Any]:
        return {
            "key": found.key,
            "title": found.title,
            "note": found.note,
            # as the page's bar template reads it (its first column's heading)
            "table": {"dimension": {"label": str(found.table.dimension.label) if found.table else ""}},
            "bars": [
                {"label": b.label, "persons": b.persons, "cases": b.cases, "width": b.width, "rtl_x": b.rtl_x}
                for b in found.bars
            ],
            "children": [section(child) for child in found.children],
        }

    return {
        "year": report.year,
        "programme": report.programme,
        "total_persons": report.total_persons,
        "total_cases": report.total_cases,
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "edition": report.edition,
        "threshold": report.threshold,
        "sections": [section(s) for s in report.sections],
    }


def render_files(package: ReportPackage, progress: Any = None) -> None:
    """(Re)render the package's PDF and XLSX from its snapshot, in its language. Without
    a PDF renderer on this server, the XLSX alone."""
    from remis.lib.pdf import PdfUnavailable, render_pdf

    stem = file_stem(package)
    with translation.override(package.language):
        context = _context(package)
        html = render_to_string("reports/annual_pdf.html", context)
        try:
            pdf = render_pdf(html, "file:///", Path(__file__).with_name("pdf") / "report.css")
        except PdfUnavailable:
            pdf = None
        if pdf is not None:
            package.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        if progress:
            progress(1)
        package.xlsx.save(f"{stem}.xlsx", ContentFile(_xlsx(package, context)), save=False)
        package.save(update_fields=["pdf", "xlsx"])
        if progress:
            progress(2)


def file_stem(package: ReportPackage) -> str:
    """report-annual-2025-all-public, report-quarterly-2025-q2-gn-confidential…"""
    stem = f"report-{package.kind}-{package.year}" + (f"-q{package.quarter}" if package.quarter else "")
    if package.programme_id and package.programme is not None:
        stem += f"-{package.programme.code.lower()}"
    return stem + f"-{package.origin.lower() or 'all'}-{package.edition}"


def _context(package: ReportPackage) -> dict[str, Any]:
    report = dict(package.snapshot)
    report["year"] = period_label(package)
    report["as_of"] = parse_datetime(report["as_of"]) if report.get("as_of") else None
    return {
        "report": report,
        "programme_name": _scope_name(package),
        "projects": report.get("projects"),  # an annual package's, frozen with its figures
        "counted": report.get("counted", ""),
    }


def _scope_name(package: ReportPackage) -> str:
    parts = []
    if package.programme_id:
        parts.append(str(package.programme.name) if package.programme else "")
    if package.origin:
        parts.append(_("Returns to %(country)s") % {"country": country_name(package.origin)})
    return " · ".join(p for p in parts if p)


def _xlsx(package: ReportPackage, context: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    from remis.lib.spreadsheet import in_reading_direction, sheet_title, xlsx_row

    book = Workbook()
    sheet = in_reading_direction(book.active)
    assert sheet is not None
    sheet.title = _("Definition")[:31]
    report = context["report"]
    for name, value in definition(package, for_sheet=True):
        sheet.append(xlsx_row(sheet, [name, value]))
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 28, 60
    used: set[str] = {sheet.title.casefold()}
    for found, parent in _flatten(report["sections"]):
        # A region's table under its section's title: "Europe" was two sheets, returns from
        # Europe and returns through it, told apart only by a "(2)".
        full = f"{parent} — {found['title']}" if parent else found["title"]
        title = sheet_title(f"{found['title']} · {parent}" if parent else found["title"], used)
        table = in_reading_direction(book.create_sheet(title))
        table.column_dimensions["A"].width = 40
        table.column_dimensions["B"].width = table.column_dimensions["C"].width = 16
        table.append(xlsx_row(table, [full]))
        # The first column's heading as the page's (Host country, Year of return…).
        heading = ((found.get("table") or {}).get("dimension") or {}).get("label") or _("Row")
        table.append(xlsx_row(table, [heading, _("Persons"), _("Cases (households)")]))
        for bar in found["bars"]:
            table.append(xlsx_row(table, [bar["label"], bar["persons"], bar["cases"]]))
    projects = context.get("projects")
    if projects:  # the PDF's last table, as the annual report's workbook of projects has it
        from types import SimpleNamespace

        from remis.reports.exports import project_body, project_header

        table = in_reading_direction(book.create_sheet(sheet_title(_("Community projects"), used)))
        table.append(xlsx_row(table, [_("Code"), *project_header(_("Country"))]))
        rows = [SimpleNamespace(**r) for r in projects["by_country"]]
        for line in project_body(rows, codes=True):
            table.append(xlsx_row(table, line))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def definition(package: ReportPackage, *, for_sheet: bool = False) -> list[tuple[str, Any]]:
    """What the package counts, as its files and page state it: the totals as numbers in a
    sheet (a spreadsheet sums them), grouped as the reader's language writes them on a page."""
    from django.utils.formats import date_format, number_format

    def total(key: str) -> Any:
        value = snapshot_.get(key)
        if isinstance(value, str):
            return value  # hidden ("x", "<5"), written as the tables write it, not left blank
        if not isinstance(value, int):
            return ""
        return value if for_sheet else number_format(value, force_grouping=True)

    snapshot_ = package.snapshot
    as_of = parse_datetime(snapshot_["as_of"]) if snapshot_.get("as_of") else None
    first, last = period_of(package.kind, package.year, package.quarter)
    return [
        (_("Report"), str(PackageKind(package.kind).label)),
        (_("Period"), f"{date_format(first)} – {date_format(last)}"),
        (_("Programme"), package.programme.name if package.programme else _("All programmes you see")),
        (_("Country of origin"), country_name(package.origin) if package.origin else _("All")),
        (_("Edition"), str(dict(Edition.CHOICES).get(package.edition, package.edition))),
        (_("Figures as of"), date_format(timezone.localtime(as_of), "DATETIME_FORMAT") if as_of else "—"),
        (_("Requested by"), package.requested_by.get_username()),
        (_("Total persons"), total("total_persons")),
        (_("Total cases (households)"), total("total_cases")),
    ]


def _flatten(sections: list[dict[str, Any]], parent: str = "") -> list[tuple[dict[str, Any], str]]:
    """Each section with the title of the section it is part of ("" for a top one)."""
    out: list[tuple[dict[str, Any], str]] = []
    for found in sections:
        out.append((found, parent))
        out.extend(_flatten(found["children"], found["title"]))
    return out


def readable_packages(actor: Any) -> Any:
    """A reader's own packages (their figures are within the requester's scope)."""
    return ReportPackage.objects.filter(requested_by_id=getattr(actor, "pk", None)).select_related(
        "programme", "job"
    )


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    if set(params) != {"package"} or not ReportPackage.objects.filter(uuid=params["package"]).exists():
        raise ValidationFailed(_("Ask for packages from the report packages page."), "package")
    return params


def register() -> None:
    from django.utils.translation import gettext_lazy

    register_job_kind(
        JobKind(
            code=BUILD,
            label=gettext_lazy("Build a report package"),
            run=build_package,
            may_start=may_request,
            describe=ready_message,
            description=gettext_lazy("A quarterly or annual report, as a PDF and an XLSX."),
            clean_params=_clean,
            on_jobs_page=False,
        )
    )
