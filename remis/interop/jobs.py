"""The background job that runs an uploaded import, and what it says when done."""

from __future__ import annotations

from typing import Any

from django.core.files import File
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with, has_perm
from remis.interop.actions import EXPORT_JOB, IMPORT_JOB
from remis.interop.errors import UnreadableFile
from remis.interop.exporting import describe, export_kind, write_csv, write_xlsx
from remis.interop.importing import HeaderRefused, Result, Run, entity_for, temporary_report
from remis.interop.models import ExportFormat, ImportMode, RecordExport, RecordImport
from remis.jobs.models import JobStatus
from remis.jobs.registry import JobFailed, JobKind, Outcome, register_job_kind
from remis.lib.errors import ValidationFailed
from remis.lib.said import said


def run_import(job: Any) -> Outcome:
    kept = (
        RecordImport.objects.select_related("organisation")
        .filter(uuid=job.params.get("import"), uploaded_by=job.owner_id)  # the uploader's alone
        .first()
    )
    if kept is None:
        raise JobFailed(said("The uploaded file is no longer there."))
    entity = entity_for(kept.entity)
    if entity is None or not entity.may_import(job.owner, kept.organisation):
        raise JobFailed(said("You may no longer import these records for this organisation."))
    with temporary_report() as report:
        run = Run(
            entity, job.owner, kept.organisation, mode=kept.mode, mapping=kept.mapping, report=report,
            progress=job.report,
        )  # fmt: skip
        try:
            with kept.file.open("rb") as handle:
                result = run.read(handle, kept.filename, kept.sheet)
        except HeaderRefused as error:
            raise JobFailed(*(message for _column, message in error.errors)) from None
        except UnreadableFile as error:
            raise JobFailed(error.message) from None
        if not result.rows:  # "Done: 0 rows checked" read as a success
            raise JobFailed(
                said("The file has its column headers but no rows below them: nothing to import.")
            )
        report.seek(0)
        if kept.report:
            kept.report.delete(save=False)
        kept.report.save("report.csv", File(report), save=False)
        RecordImport.objects.filter(pk=kept.pk).update(report=kept.report.name)
    job.report(result.rows, result.rows)
    # The rows' refusals are sentences in this language; the page says so to a reader of another.
    return Outcome(
        summary(result, kept.mode),
        {**result.as_dict(), "mode": kept.mode, "language": translation.get_language()},
    )


def summary(result: Result, mode: str) -> str:
    """One sentence for the owner: what was found, and what was written."""
    counts = {
        key: number_format(getattr(result, key), force_grouping=True)
        for key in ("rows", "created", "updated", "unchanged", "refused")
    }
    if mode == ImportMode.CHECK:
        return (
            ngettext(
                "Checked %(rows)s row. Nothing was written. Would be added: %(created)s; would update their "
                "record: %(updated)s; already there unchanged: %(unchanged)s; refused: %(refused)s.",
                "Checked %(rows)s rows. Nothing was written. Would be added: %(created)s; would update their "
                "record: %(updated)s; already there unchanged: %(unchanged)s; refused: %(refused)s.",
                result.rows,
            )
            % counts
        )
    if mode == ImportMode.ALL_OR_NOTHING and not result.committed:
        return (
            ngettext(
                "%(refused)s row of %(rows)s is refused, so nothing was written (all or nothing). "
                "Correct it and run the import again.",
                "%(refused)s rows of %(rows)s are refused, so nothing was written (all or nothing). "
                "Correct them and run the import again.",
                result.refused,
            )
            % counts
        )
    if result.rows and result.unchanged == result.rows:
        return _("Every row of this file is already there unchanged: nothing was written.")
    return (
        ngettext(
            "Of %(rows)s row read: added %(created)s, updated %(updated)s, already there unchanged "
            "%(unchanged)s, refused %(refused)s.",
            "Of %(rows)s rows read: added %(created)s, updated %(updated)s, already there unchanged "
            "%(unchanged)s, refused %(refused)s.",
            result.rows,
        )
        % counts
    )


COUNTS = ("rows", "created", "updated", "unchanged", "refused")


def outcome_in_reader_language(kept: RecordImport) -> str:
    """The job's outcome, said again in the language active now (the reader's) from the
    counts the job kept; the stored sentence (its owner's language when it ran) otherwise."""
    job = kept.job
    if job is None:
        return ""
    counts = job.result or {}
    if job.status != JobStatus.SUCCEEDED or not set(COUNTS) <= set(counts):
        return job.outcome_shown  # a failure given as `lib.said` sentences is said again
    return _said_again(counts, kept.mode)


def _said_again(counts: dict[str, Any], mode: str) -> str:
    result = Result(**{k: counts[k] for k in COUNTS})
    result.committed = bool(counts.get("committed"))
    return summary(result, mode)


def describe_import(result: dict[str, Any]) -> str:
    """The Jobs page's and the API's outcome of an import, in the reader's language (a
    French reader read "Of 1 row read: added 0…"); a result without its mode (run before it
    was kept) raises KeyError, and the sentence stored is shown."""
    return _said_again(result, result["mode"])


def import_subject(job: Any) -> tuple[str, str] | None:
    kept = RecordImport.objects.filter(job=job).values_list("filename", "uuid").first()
    return (kept[0], reverse("record_import_detail", args=[kept[1]])) if kept else None


def export_subject(job: Any) -> tuple[str, str] | None:
    kept = RecordExport.objects.filter(job=job).first()
    if kept is None:
        return None
    kind = export_kind(kept.kind)
    return (str(kind.label) if kind else kept.kind, reverse("record_export_detail", args=[kept.uuid]))


def may_start(actor: Any) -> bool:
    return has_perm(actor, Perm.RECORDS_IMPORT)


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    if set(params) != {"import"} or not RecordImport.objects.filter(uuid=params["import"]).exists():
        raise ValidationFailed(_("Upload the file to import from the imports page."), "import")
    return {"import": str(params["import"])}


def run_export(job: Any) -> Outcome:
    """Write an export's file. The rows are read with the requester's scope and field
    rights as they are now (a right lost since the request exports nothing more)."""
    # The requester's alone: another user's job would write their scope into this file.
    kept = RecordExport.objects.filter(uuid=job.params.get("export"), requested_by=job.owner_id).first()
    if kept is None:
        raise JobFailed(said("This export was deleted."))
    kind = export_kind(kept.kind)
    if kind is None or not kind.may_export(job.owner):
        raise JobFailed(said("You may no longer export these records."))
    with translation.override(kept.language):
        prepared = kind.prepare(job.owner, kept.params)
        job.report(0, prepared.total)

        def progress(done: int) -> None:
            job.report(done, prepared.total)

        if kept.format == ExportFormat.XLSX:
            about = [
                (_("Records"), str(kind.label)),
                (_("Exported"), timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")),
                (_("Filters"), describe(kind, job.owner, kept.params)),
            ]
            out, rows = write_xlsx(
                prepared,
                kept.labels,
                title=str(kind.label),
                about=about,
                right_to_left=translation.get_language_bidi(),
                progress=progress,
            )
        else:
            out, rows = write_csv(prepared, kept.labels, progress=progress)
    with out:
        name = f"{kept.kind}-{timezone.localdate().isoformat()}.{kept.format}"
        kept.file.save(name, File(out), save=False)
    kept.rows = rows
    RecordExport.objects.filter(pk=kept.pk).update(file=kept.file.name, rows=rows)
    job.report(prepared.total, prepared.total)
    with translation.override(kept.language):  # the requester's language, as they asked
        return Outcome(rows_written(rows), {"rows": rows})


def rows_written(rows: int) -> str:
    return ngettext("%(rows)s row written.", "%(rows)s rows written.", rows) % {
        "rows": number_format(rows, force_grouping=True)
    }


def _clean_export(params: dict[str, Any]) -> dict[str, Any]:
    if set(params) != {"export"} or not RecordExport.objects.filter(uuid=params["export"]).exists():
        raise ValidationFailed(_("Ask for an export from the exports page."), "export")
    return {"export": str(params["export"])}


def register() -> None:
    register_job_kind(
        JobKind(
            code=IMPORT_JOB,
            label=gettext_lazy("Import records"),
            description=gettext_lazy(
                "Reads an uploaded CSV or XLSX file of records, checks every row and saves them as the "
                "chosen mode says, with a report of the rows refused."
            ),
            run=run_import,
            may_start=may_start,
            clean_params=_clean,
            on_jobs_page=False,
            describe=describe_import,
            subject=import_subject,
        )
    )
    register_job_kind(
        JobKind(
            code=EXPORT_JOB,
            label=gettext_lazy("Export records"),
            description=gettext_lazy(
                "Writes the case list or the monitoring data asked for to a CSV or XLSX file, with "
                "the requester's scope and field rights."
            ),
            run=run_export,
            may_start=lambda actor: bool(grants_with(actor, Perm.RECORDS_EXPORT)),
            clean_params=_clean_export,
            on_jobs_page=False,
            # In the reader's language (the file's own language is the requester's choice).
            describe=lambda result: rows_written(result["rows"]),
            subject=export_subject,
        )
    )
