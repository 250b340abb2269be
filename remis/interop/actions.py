"""Writes of the import pages: keep an uploaded file, confirm its column mapping, run it (as
a background job), run it again, save a mapping. Each checks the permission the entity asks
for, names every bad field, and leaves an audit entry; the records themselves are audited
by the entity's importer, one entry per record."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts.models import Organisation
from remis.audit.actions import record
from remis.interop.errors import UnreadableFile
from remis.interop.exporting import ExportKind, export_kind
from remis.interop.importing import IGNORE, Entity, Result, Run, entity_for, header_problems, mapping_for
from remis.interop.models import ColumnMapping, ExportFormat, ImportMode, RecordExport, RecordImport
from remis.interop.tables import open_table
from remis.interop.uploads import check_upload_size
from remis.lib.errors import Conflict, PermissionDenied, ValidationFailed

IMPORT_JOB = "interop.import"
EXPORT_JOB = "interop.export"
MAX_UPLOAD = 500 * 1024 * 1024  # a million rows of cases is about 200 MB of CSV
MAPPING_NAME = 80


def _entity(code: str) -> Entity:
    entity = entity_for(code)
    if entity is None:
        raise ValidationFailed(_("Choose what the file holds."), "entity")
    return entity


def _allowed(actor: Any, entity: Entity, organisation: Organisation) -> None:
    if not entity.may_import(actor, organisation):
        raise PermissionDenied(_("You may not import these records for this organisation."))


def read_header(file: Any, filename: str, sheet: str = "") -> list[str]:
    """The header of an uploaded table; UnreadableFile (naming row or line) if it has none."""
    file.seek(0)
    with open_table(file, filename, sheet=sheet or None) as table:
        header = list(table.header)
    file.seek(0)
    return header


def upload_records(
    actor: Any,
    organisation: Organisation,
    *,
    entity_code: str,
    upload: UploadedFile,
    mode: str,
    mapping: dict[str, str] | None = None,
    sheet: str = "",
) -> RecordImport:
    """Keep an uploaded file. When its header gives the entity's columns (as they are or
    through `mapping`) the import starts at once; otherwise it waits for its mapping."""
    entity = _entity(entity_code)
    _allowed(actor, entity, organisation)
    if mode not in ImportMode.values:
        raise ValidationFailed(
            _("Choose whether to check only, import the valid rows or all or nothing."), "mode"
        )
    check_upload_size(upload, MAX_UPLOAD)
    try:
        header = read_header(upload, upload.name or "", sheet)
    except UnreadableFile as error:
        raise ValidationFailed(error.message, "file") from None
    chosen = mapping_for(mapping or {}, header)
    with transaction.atomic():
        kept = RecordImport(
            entity=entity.code,
            organisation=organisation,
            filename=(upload.name or "records")[:200],
            sheet=sheet[:100],
            mode=mode,
            mapping=chosen,
            uploaded_by=actor,
        )
        kept.file.save("records", upload, save=False)
        kept.save()
        record(
            actor,
            "interop.upload",
            kept,
            organisation_id=organisation.pk,
            changes={"entity": [None, entity.code], "mode": [None, mode], "size": [None, upload.size]},
        )
        if not header_problems(entity, header, chosen):
            _start(actor, kept)
    return kept


def confirm_mapping(
    actor: Any, kept: RecordImport, mapping: dict[str, str], *, header: list[str], save_as: str = ""
) -> RecordImport:
    """Take the uploader's mapping of the file's header and start the import; `save_as`
    keeps the mapping under that name for the organisation's later files."""
    entity = _entity(kept.entity)
    if kept.uploaded_by_id != actor.pk:
        raise PermissionDenied()
    _allowed(actor, entity, kept.organisation)
    if kept.job_id is not None:
        raise Conflict(_("This import has already started."))
    problems = header_problems(entity, header, mapping)
    if problems:
        raise ValidationFailed(problems[0][1], problems[0][0], errors=problems)
    with transaction.atomic():
        kept.mapping = mapping
        kept.save(update_fields=["mapping"])
        record(
            actor,
            "interop.map",
            kept,
            organisation_id=kept.organisation_id,
            changes={"mapping": [None, mapping]},
        )
        if save_as.strip():
            save_mapping(actor, kept.organisation, entity_code=entity.code, name=save_as, mapping=mapping)
        _start(actor, kept)
    return kept


def run_again(actor: Any, kept: RecordImport, mode: str | None = None) -> RecordImport:
    """Run a finished, failed or interrupted import again (records already there are found
    by their external IDs, so nothing is added twice), possibly in another mode: a checked
    file is then imported."""
    entity = _entity(kept.entity)
    if kept.uploaded_by_id != actor.pk:
        raise PermissionDenied()
    if not kept.file:
        raise ValidationFailed(
            _(
                "The file was removed when someone's data was erased from a case your organisation "
                "holds (it could have named them): upload it again to run it."
            ),
            "file",
        )
    _allowed(actor, entity, kept.organisation)
    if kept.job is not None and kept.job.is_active:
        raise Conflict(_("This import is still running."))
    if mode is not None and mode not in ImportMode.values:
        raise ValidationFailed(
            _("Choose whether to check only, import the valid rows or all or nothing."), "mode"
        )
    with transaction.atomic():
        locked = RecordImport.objects.select_for_update().get(pk=kept.pk)
        if locked.job_id != kept.job_id:
            raise Conflict(_("This import was started again meanwhile."))
        changes: dict[str, list[Any]] = {"run": [None, "again"]}
        if mode is not None and mode != kept.mode:
            changes["mode"] = [kept.mode, mode]
            kept.mode = mode
            kept.save(update_fields=["mode"])
        record(actor, "interop.run_again", kept, organisation_id=kept.organisation_id, changes=changes)
        _start(actor, kept)
    return kept


def import_now(
    actor: Any,
    organisation: Organisation,
    *,
    entity_code: str,
    file: IO[bytes],
    filename: str,
    mode: str,
    mapping: dict[str, str],
    report: IO[str],
    sheet: str = "",
    progress: Callable[[int], None] = lambda done: None,
) -> Result:
    """Run an import here and now rather than as a job (the `import_records` command): the
    same checks, writes and audit entries, with the same permission."""
    entity = _entity(entity_code)
    _allowed(actor, entity, organisation)
    if mode not in ImportMode.values:
        raise ValidationFailed(
            _("Choose whether to check only, import the valid rows or all or nothing."), "mode"
        )
    run = Run(entity, actor, organisation, mode=mode, mapping=mapping, report=report, progress=progress)
    return run.read(file, filename, sheet)


def _start(actor: Any, kept: RecordImport) -> None:
    from remis.jobs.actions import start_job

    kept.job = start_job(actor, IMPORT_JOB, {"import": str(kept.uuid)})
    RecordImport.objects.filter(pk=kept.pk).update(job=kept.job)


def save_mapping(
    actor: Any, organisation: Organisation, *, entity_code: str, name: str, mapping: dict[str, str]
) -> ColumnMapping:
    """Keep a mapping under a name (replacing the one of that name): the next file from the
    same source is mapped by choosing it."""
    entity = _entity(entity_code)
    _allowed(actor, entity, organisation)
    name = name.strip()
    if not name or len(name) > MAPPING_NAME:
        raise ValidationFailed(_("Give the mapping a name of at most 80 characters."), "save_as")
    wrong = [target for target in mapping.values() if target != IGNORE and entity.column(target) is None]
    if wrong:
        raise ValidationFailed(
            _("“%(column)s” is not a column of these records.") % {"column": wrong[0]}, "mapping"
        )
    with transaction.atomic():
        row = (
            ColumnMapping.objects.select_for_update()
            .filter(organisation=organisation, entity=entity.code, name=name)
            .first()
        )
        if row is None:
            try:
                with transaction.atomic():
                    row = ColumnMapping.objects.create(
                        organisation=organisation,
                        entity=entity.code,
                        name=name,
                        mapping=mapping,
                        created_by=actor,
                    )
            except IntegrityError:
                raise Conflict(_("A mapping of this name was saved meanwhile; save again.")) from None
            record(
                actor,
                "interop.mapping_create",
                row,
                organisation_id=organisation.pk,
                changes={"name": [None, name], "mapping": [None, mapping]},
            )
            return row
        before = row.mapping
        if before != mapping:
            row.mapping = mapping
            row.version += 1
            row.save(update_fields=["mapping", "version", "updated_at"])
            record(
                actor,
                "interop.mapping_update",
                row,
                organisation_id=organisation.pk,
                changes={"mapping": [before, mapping]},
            )
    return row


# ---- exports ---------------------------------------------------------------------------


def _export_kind(actor: Any, code: str) -> ExportKind:
    kind = export_kind(code)
    if kind is None:
        raise ValidationFailed(_("Choose what to export."), "kind")
    if not kind.may_export(actor):
        raise PermissionDenied(_("Your role does not export these records."))
    return kind


def _organisation_in(params: dict[str, Any]) -> int | None:
    value = params.get("organisation")
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def request_export(
    actor: Any, *, kind_code: str, filters: dict[str, Any], file_format: str, labels: bool, language: str
) -> RecordExport:
    """Ask for an export of the records `filters` select among those the actor may read
    (the kind's form has checked them): audited, then written by a background job."""
    from remis.jobs.actions import start_job

    kind = _export_kind(actor, kind_code)
    if file_format not in ExportFormat.values:
        raise ValidationFailed(_("Choose CSV or XLSX."), "format")
    params = kind.params(filters)
    with transaction.atomic():
        kept = RecordExport.objects.create(
            kind=kind.code,
            params=params,
            format=file_format,
            labels=labels,
            language=language[:8],
            requested_by=actor,
        )
        record(
            actor,
            "interop.export",
            kept,
            changes={
                "kind": [None, kind.code],
                "format": [None, file_format],
                "filters": [None, kind.audited(params)],
            },
            # Limited to one organisation's records: that organisation's (its administrators
            # find it, not those of another organisation the requester also works for).
            organisation_id=_organisation_in(params),
        )
        kept.job = start_job(actor, EXPORT_JOB, {"export": str(kept.uuid)})
        RecordExport.objects.filter(pk=kept.pk).update(job=kept.job)
    return kept


def export_downloaded(actor: Any, kept: RecordExport) -> None:
    """Each download of an export's file is audited: the file holds personal data."""
    if kept.requested_by_id != actor.pk:
        raise PermissionDenied()
    record(actor, "interop.export_download", kept, changes={"rows": [None, kept.rows]})


def delete_export(actor: Any, kept: RecordExport) -> None:
    """Delete an export and its file (a running one is cancelled first by its job's page)."""
    if kept.requested_by_id != actor.pk:
        raise PermissionDenied()
    if kept.job is not None and kept.job.is_active:
        raise Conflict(_("This export is still being written: wait for it, or cancel it first."))
    with transaction.atomic():
        record(actor, "interop.export_delete", kept, changes={"kind": [kept.kind, None]})
        _delete_with_file(kept)


def refuse_unless_deletable(actor: Any, uploaded_by_id: int, job: Any) -> None:
    """An upload for import (records, or KoBo/ODK submissions) is deleted by its uploader
    alone, and not while its job runs."""
    if uploaded_by_id != actor.pk:
        raise PermissionDenied()
    if job is not None and job.is_active:
        raise Conflict(_("This import is running: wait for it, or cancel it first."))


def delete_import(actor: Any, kept: RecordImport) -> None:
    """Delete an upload with its file and report (a wrong file, one never run, or one done
    with): the records it imported stay, they are records now."""
    refuse_unless_deletable(actor, kept.uploaded_by_id, kept.job)
    from remis.jobs.models import Job

    with transaction.atomic():
        record(actor, "interop.import_delete", kept, changes={"entity": [kept.entity, None]})
        # Its runs' refused rows quote the file's values (the Jobs API still showed them):
        # their counts stay, the rows go with the file.
        for job in Job.objects.filter(kind=IMPORT_JOB, params__import=str(kept.uuid)).only("result"):
            if job.result and "problems" in job.result:
                Job.objects.filter(pk=job.pk).update(result={**job.result, "problems": []})
        _delete_with_file(kept, kept.file, kept.report)


def _delete_with_file(kept: RecordExport | RecordImport, *files: Any) -> None:
    """Delete the row now and its files (by default its `file`) once the deletion is
    committed (a rollback keeps them all)."""
    stored = [(f.storage, f.name) for f in (files or (kept.file,)) if f]
    kept.delete()
    if stored:
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in stored])


def withdraw_exports(requesters: Any, *, case_uuid: Any = None, references: Sequence[str] = ()) -> int:
    """Delete, as the system, the files of the exports these users requested that may quote
    a person just erased (`cases.erasure`), each with an audit entry; the export stays in its
    requester's list, marked withdrawn. With `references` (the erased person's cases), only
    files that name one of them go: a list of another country's cases quotes nobody erased
    (all of them went, and the list read "you have not exported anything"); a file that
    cannot be read goes too. A file being written is left to finish: it reads rows already
    erased. `case_uuid`: the erased person's case, on each entry, so that the erasure's
    history (and the data-protection focal point) shows which exports went with it."""
    from remis.accounts.system import system_actor

    deleted = 0
    kept_files = RecordExport.objects.filter(requested_by__in=requesters, withdrawn_at__isnull=True).exclude(
        file=""
    )
    for kept in kept_files.select_related("job"):
        if kept.job is not None and kept.job.is_active:
            continue
        if references and not may_name(kept.file, references):
            continue
        record(
            system_actor(),
            "interop.export_delete",
            kept,
            changes={"kind": [kept.kind, None], "user": [kept.requested_by_id, None]},
            case_uuid=case_uuid,
        )
        name, storage = kept.file.name, kept.file.storage
        # The filters stay (the list says what the export was), not a search's text: it may
        # be the erased person's name, kept in the row and its backups.
        kind = export_kind(kept.kind)
        params = kind.audited(kept.params) if kind is not None else {}
        RecordExport.objects.filter(pk=kept.pk).update(file="", withdrawn_at=timezone.now(), params=params)
        transaction.on_commit(functools.partial(storage.delete, name))
        deleted += 1
    return deleted


def may_name(file: Any, references: Sequence[str]) -> bool:
    """Whether a kept file (an export, an upload) names one of these case references or
    IDs: read as text (CSV), or each part of an XLSX (its shared strings), a megabyte at a
    time (an export of a million rows was read whole into memory). Unreadable or missing:
    assumed to."""
    import zipfile

    wanted = [r.encode() for r in references if r]
    try:
        with file.open("rb") as handle:
            head = handle.read(4)
            handle.seek(0)
            if head.startswith(b"PK"):
                with zipfile.ZipFile(handle) as book:
                    return any(
                        _names_any(book.open(part), wanted)
                        for part in book.namelist()
                        if part.endswith(".xml")
                    )
            return _names_any(handle, wanted)
    except (OSError, zipfile.BadZipFile):
        return True


def _names_any(stream: IO[bytes], wanted: list[bytes]) -> bool:
    """Whether the stream holds one of `wanted`, read in pieces that overlap by a word."""
    overlap = max((len(w) for w in wanted), default=1) - 1
    tail = b""
    while piece := stream.read(1 << 20):
        block = tail + piece
        if any(w in block for w in wanted):
            return True
        tail = block[-overlap:] if overlap else b""
    return False


def withdraw_import_files(uploaders: Any, *, case_uuid: Any = None, identifiers: Sequence[str] = ()) -> int:
    """Delete, as the system, the files these users uploaded for import and the reports of
    their refused rows that may quote a person just erased, each with an audit entry (the
    records are in REMIS; the file stayed on disk and in every backup), and the refused rows
    quoted on the import's page and in `/api/v1/jobs` (a refused e-mail address stayed there
    after the erasure). With `identifiers` (the erased person's case references and external
    IDs), only files naming one of them go: a consents file of other cases lost its file
    and could not be run again. A file that cannot be read goes too. The import stays in
    its uploader's list, without its file: it cannot be run again. One running is left."""
    from remis.accounts.system import system_actor
    from remis.jobs.actions import withdraw_quoted_rows
    from remis.jobs.models import Job

    cleared = 0
    kept_files = RecordImport.objects.filter(uploaded_by__in=uploaders).exclude(file="", report="")
    for kept in kept_files.select_related("job"):
        if kept.job is not None and kept.job.is_active:
            continue
        files = [f for f in (kept.file, kept.report) if f.name]
        if identifiers and not any(may_name(f, identifiers) for f in files):
            continue
        names = [(f.name, f.storage) for f in files]
        record(
            system_actor(),
            "interop.import_file_delete",
            kept,
            changes={"file": [True, None]},
            case_uuid=case_uuid,
        )
        RecordImport.objects.filter(pk=kept.pk).update(file="", report="")
        for job in Job.objects.filter(kind=IMPORT_JOB, params__import=str(kept.uuid)).exclude(result=None):
            withdraw_quoted_rows(job)
        for name, storage in names:
            transaction.on_commit(functools.partial(storage.delete, name))
        cleared += 1
    return cleared


def expire_exports(now: Any = None) -> int:
    """Delete the exports older than `REMIS_EXPORTS_KEEP_DAYS` (files and all), as the
    system, each with an audit entry; a running one is left for the next pass."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    from remis.accounts.system import system_actor

    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.REMIS_EXPORTS_KEEP_DAYS)
    old = RecordExport.objects.filter(requested_at__lt=cutoff).select_related("job")
    deleted = 0
    for kept in old.iterator():
        if kept.job is not None and kept.job.is_active:
            continue
        with transaction.atomic():
            record(system_actor(), "interop.export_expire", kept, changes={"kind": [kept.kind, None]})
            _delete_with_file(kept)
        deleted += 1
    return deleted
