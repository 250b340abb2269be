"""Importing KoBoToolbox and ODK Central submission exports of a monitoring instrument.

`upload_submissions` keeps the file and starts a job; the job (`import_submissions`) reads the
file with the interop readers, matches each submission to a case by its reference (or to a
comparison sample by its sample ID) among the cases the uploader sees, to the case's open
round of that instrument whose window holds the day, and saves it with `record_response`
under the uploader's name: the same checks, scores and audit as a response typed in REMIS.
Each row stands alone: a bad row is reported (row, field, message) and the good ones are kept;
a submission already imported is counted, not added again. Progress is reported as it goes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from itertools import chain, islice, repeat
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from remis.accounts.permissions import Perm
from remis.accounts.scope import has_perm
from remis.audit.actions import record
from remis.cases.models import ConsentPurpose
from remis.cases.policy import cases_permitting, groups_everywhere, visible_cases
from remis.cases.queries import cases_consenting
from remis.interop.columns import QuestionSpec
from remis.interop.errors import UnreadableFile
from remis.interop.submissions import RowProblemCode, read_submissions
from remis.interop.uploads import check_upload_size
from remis.jobs.registry import JobFailed, JobKind, Outcome, register_job_kind
from remis.lib.ahead import made_ahead
from remis.lib.bulk import loaded
from remis.lib.checkpoints import checkpoints_aside
from remis.lib.errors import DomainError, Duplicate, PermissionDenied, ValidationFailed
from remis.lib.said import said
from remis.lib.spreadsheet import neutralised
from remis.monitoring.configuration import SATISFACTION
from remis.monitoring.instruments.definition import QuestionType
from remis.monitoring.instruments.scoring import (
    canonical_answers,
    drop_irrelevant,
    spreadsheet_numbers,
    validate_answers,
)
from remis.monitoring.instruments.xlsform import ITEM_FIELD
from remis.monitoring.models import (
    FollowUp,
    FollowUpStatus,
    Instrument,
    Response,
    ResponseSource,
    SubmissionUpload,
)
from remis.monitoring.queries import items_by_type
from remis.monitoring.responses import Prepared, definition_of, prepare_response, same_answer, save_responses

IMPORT = "monitoring.import"
MAX_UPLOAD = 50 * 1024 * 1024
CHUNK = 1000  # checked in one process while the one before is saved in another (lib/ahead.py)
COMMIT_ROWS = 5000  # rows saved per transaction (one take of the audit lock, one commit)
PARALLEL_FROM_BYTES = 256 * 1024  # about 600 rows: smaller files are checked and saved in turn
MAX_REPORTED = 1000  # row problems kept in the report; the counts cover every row
# The fields the exported XLSForms carry beside the questions (instruments/xlsform.py).
CASE_FIELD, SAMPLE_FIELD = "case_reference", "sample_id"
CODE_FIELD, VERSION_FIELD = "instrument_code", "instrument_version"
FORM_FIELDS = (CASE_FIELD, SAMPLE_FIELD, ITEM_FIELD, CODE_FIELD, VERSION_FIELD, "start", "end")
CASE_COLUMNS = (
    *("id", "uuid", "reference", "host_country", "origin_country"),
    *("stage", "stage_changed_at", "arrival_date", "anonymised_at"),
)


def may_import(actor: Any) -> bool:
    return bool(getattr(actor, "is_superuser", False) or has_perm(actor, Perm.MONITORING_RECORD))


def upload_submissions(actor: Any, instrument: Instrument, upload: UploadedFile) -> SubmissionUpload:
    """Keep an uploaded export and start the job importing it."""
    from remis.jobs.actions import start_job

    if not may_import(actor):
        raise PermissionDenied()
    name = (upload.name or "export")[:200]
    check_upload_size(upload, MAX_UPLOAD)
    with transaction.atomic():
        kept = SubmissionUpload(instrument=instrument, filename=name, uploaded_by=actor)
        kept.file.save("export", upload, save=False)
        kept.save()
        record(
            actor,
            "monitoring.upload",
            kept,
            changes={
                "instrument": [None, f"{instrument.code} v{instrument.version}"],
                "size": [None, upload.size],
            },
        )
        kept.job = start_job(actor, IMPORT, {"upload": str(kept.uuid)})
        SubmissionUpload.objects.filter(pk=kept.pk).update(job=kept.job)
    return kept


def delete_upload(actor: Any, upload: SubmissionUpload) -> None:
    """Delete an uploaded export and its file (a wrong file, or one done with): the
    responses it imported stay. The file and the report's refused rows quote returnees'
    answers: kept until an erasure, they could not be removed by the one who uploaded them.
    Its uploader's alone, and not while it runs."""
    import functools

    from remis.interop.actions import refuse_unless_deletable
    from remis.jobs.actions import withdraw_quoted_rows

    refuse_unless_deletable(actor, upload.uploaded_by_id, upload.job)
    with transaction.atomic():
        record(actor, "monitoring.upload_delete", upload, changes={"filename": [upload.filename, None]})
        if upload.job is not None:
            withdraw_quoted_rows(upload.job)  # the counts stay, the rows quoting the file go
        stored = (upload.file.storage, upload.file.name) if upload.file else None
        upload.delete()
        if stored is not None:
            transaction.on_commit(functools.partial(stored[0].delete, stored[1]))


def _specs(instrument: Instrument) -> list[QuestionSpec]:
    definition = definition_of(instrument)
    specs = [
        QuestionSpec(
            q.name,
            multiple=q.type == QuestionType.SELECT_MULTIPLE,
            choices=definition.choices_of(q),
        )
        for q in definition.questions
    ]
    return specs + [QuestionSpec(name) for name in FORM_FIELDS]


class _Report:
    def __init__(self) -> None:
        self.rows = self.imported = self.duplicates = self.failed = 0
        self.problems: list[dict[str, Any]] = []
        # Rows of a case imported as its answers outside any follow-up round (the interview
        # day in no open round's window): kept, but the rounds stay due, so the report says so.
        self.outside_rounds: list[int] = []
        self.outside_count = 0

    def problem(
        self,
        row: int,
        field: str | None,
        message: str,
        *,
        value: Any = "",
        submission: str = "",
        note: bool = False,
    ) -> None:
        """A row's problem: the column and the value it holds, and the submission's ID, to
        find it in KoBo or ODK. `note`: said of a row not refused (imported before, changed
        since in the tool), listed apart from the refusals."""
        if len(self.problems) < MAX_REPORTED:
            kept = {"row": row, "field": field or "", "message": message, "value": str(value or "")[:200]}
            self.problems.append({**kept, "submission": submission, "note": note})

    def add(self, other: _Report) -> None:
        self.rows += other.rows
        self.imported += other.imported
        self.duplicates += other.duplicates
        self.failed += other.failed
        self.problems += other.problems[: MAX_REPORTED - len(self.problems)]
        self.outside_count += other.outside_count
        self.outside_rounds += other.outside_rounds[: MAX_REPORTED - len(self.outside_rounds)]


@dataclass
class _Header:
    """What the file says before its rows: the columns ignored and the questions missing."""

    extra_columns: list[str]
    missing_questions: list[str]
    tool: str
    id_column: str


@dataclass
class _Chunk:
    """A chunk of rows read and checked: the responses to save, and what the rows refused."""

    report: _Report
    batch: list[Prepared]


@dataclass
class _Seen:
    """What the rows read so far took, over the whole file: the responses handed over may
    not be saved yet when the next chunk is checked (`lib/ahead.py`), so the database alone
    does not know them."""

    checked: set[int] = field(default_factory=set)  # cases whose permission and consent were checked
    submissions: dict[str, int] = field(default_factory=dict)  # submission ID -> its row in the file
    rounds: set[int] = field(default_factory=set)
    id_column: str = "_uuid"


def _open_rounds(case_ids: list[int], code: str) -> dict[int, list[FollowUp]]:
    """The rounds of this instrument of those cases, in round order, read once for a chunk:
    those without answers yet (open, or done by a visit whose answers come in this file),
    and those answered already, marked `answered` (a second submission for a round done
    was imported as the case's answers outside any round, "the rounds stay due")."""
    rounds: dict[int, list[FollowUp]] = {}
    rows = FollowUp.objects.filter(
        case_id__among=case_ids,
        instrument=code,
        status__in=[FollowUpStatus.SCHEDULED, FollowUpStatus.LOST, FollowUpStatus.DONE],
    ).order_by("case_id", "round")
    answered = set(
        Response.objects.filter(follow_up__case_id__among=case_ids, follow_up__instrument=code).values_list(
            "follow_up_id", flat=True
        )
    )
    for follow_up in loaded(rows, ("id", "case", "round", "status", "window_start", "window_end", "version")):
        follow_up.answered = follow_up.pk in answered  # type: ignore[attr-defined]
        rounds.setdefault(follow_up.case_id, []).append(follow_up)
    return rounds


def _round_for(
    case: Any, day: dt.date, rounds: dict[int, list[FollowUp]], taken: set[int]
) -> tuple[FollowUp | None, int | None]:
    """The case's first round whose window holds the day and that is still to answer — no
    answers stored, and no earlier row of the file took it (saved or not yet) — or else the
    number of such a round answered already. (None, None): the answers are the case's,
    outside any round."""
    answered = None
    for follow_up in rounds.get(case.pk, []):
        if follow_up.window_start <= day <= follow_up.window_end:
            if follow_up.pk not in taken and not getattr(follow_up, "answered", False):
                follow_up.case = case
                return follow_up, None
            answered = answered or follow_up.round
    return None, answered


def import_submissions(job: Any) -> Outcome:
    upload = (
        SubmissionUpload.objects.select_related("instrument").filter(uuid=job.params.get("upload")).first()
    )
    if upload is None:
        raise JobFailed(said("The uploaded file is no longer there."))
    instrument = upload.instrument
    owner = job.owner
    report = _Report()
    # Checking a chunk and saving the one before overlap, in two processes, for files large
    # enough to repay starting one.
    pieces = made_ahead(
        lambda: _read_and_check(upload, instrument, owner), parallel=upload.file.size >= PARALLEL_FROM_BYTES
    )
    with closing(pieces):  # a failure here stops the child at once
        header = next(pieces)  # the child is forked now, and this process's connection new
        assert isinstance(header, _Header)
        with checkpoints_aside() as committed:
            while True:
                # Several chunks per transaction: on SQLite each commit writes the pages it
                # changed back into the database file, and the same index pages were written
                # again and again when every chunk of 1,000 committed.
                with transaction.atomic():
                    saved = 0
                    for chunk in _until(pieces, COMMIT_ROWS):
                        report.add(chunk.report)
                        _save(owner, chunk.batch, report)
                        saved += 1
                if not saved:
                    break
                committed()  # that write-back overlaps the next transaction (lib/checkpoints.py)
                job.report(report.rows)  # outside the transaction, so it shows
    job.report(report.rows, report.rows)
    result = {
        "rows": report.rows,
        "imported": report.imported,
        "duplicates": report.duplicates,
        "failed": report.failed,
        "problems": report.problems,
        "outside_rounds": report.outside_rounds,
        "outside_count": report.outside_count,
        "extra_columns": header.extra_columns,
        "missing_questions": header.missing_questions,
        "tool": header.tool,
        # The rows' refusals are sentences in this language; the page says so to a reader of another.
        "language": translation.get_language(),
    }
    return Outcome(_outcome(result), result)


def _outcome(result: dict[str, Any]) -> str:
    """The import's outcome in the active language, from its counts (JobKind.describe)."""
    if result["rows"] and result["duplicates"] == result["rows"]:
        return _("Every submission in this file was already imported: nothing was added.")
    return ngettext(
        "Of %(rows)s row read: responses imported %(imported)s, already imported before "
        "%(duplicates)s, refused %(failed)s.",
        "Of %(rows)s rows read: responses imported %(imported)s, already imported before "
        "%(duplicates)s, refused %(failed)s.",
        result["rows"],
    ) % {
        key: number_format(result[key], force_grouping=True)
        for key in ("imported", "duplicates", "failed", "rows")
    }


def problem_groups(result: dict[str, Any]) -> list[tuple[bool, list[dict[str, Any]]]]:
    """The report's refusals, then apart from them what it says of rows not refused
    (imported before, changed since in the tool), which read as refused rows under one
    heading: (is a note, rows), each group present only when it has rows."""
    problems = result.get("problems", [])
    groups = [(note, [p for p in problems if bool(p.get("note")) == note]) for note in (False, True)]
    return [(note, rows) for note, rows in groups if rows]


def report_csv(result: dict[str, Any]) -> bytes:
    """The rows the report names, as CSV to correct the file by: each refusal (row, column,
    message) and each row imported outside any round, in the language the job wrote its
    messages in, so that the header and the notes read like the messages below them."""
    with translation.override(result.get("language") or translation.get_language()):
        header = [_("Row"), _("Column"), _("Value"), _("Submission ID"), _("Problem")]
        outside = _("Imported as the case's answers outside any follow-up round: the rounds stay due.")
    lines = [
        (p["row"], p["field"], p.get("value", ""), p.get("submission", ""), p["message"])
        for p in result.get("problems", [])
    ]
    lines += [(row, "", "", "", outside) for row in result.get("outside_rounds", [])]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(neutralised(line) for line in sorted(lines, key=lambda line: line[0]))
    return ("\ufeff" + out.getvalue()).encode()  # a BOM: spreadsheet programs then read UTF-8


def _until(pieces: Iterator[_Header | _Chunk], rows: int) -> Iterator[_Chunk]:
    """The next chunks, up to and including the one that reaches `rows` rows, taken one at
    a time (the next chunk is being checked while this one is saved)."""
    read = 0
    for piece in pieces:
        assert isinstance(piece, _Chunk)
        yield piece
        read += piece.report.rows
        if read >= rows:
            return


def _read_and_check(
    upload: SubmissionUpload, instrument: Instrument, owner: Any
) -> Iterator[_Header | _Chunk]:
    """The file's header, then its rows a chunk at a time, matched, checked and scored:
    everything but the writes (`lib/ahead.py` may run it in a second process)."""
    cases = visible_cases(owner)
    seen = _Seen()
    specs = _specs(instrument)
    try:
        with (
            upload.file.open("rb") as handle,
            read_submissions(handle, upload.filename, questions=specs) as export,
        ):
            missing = [name for name in export.missing_questions if name not in FORM_FIELDS]
            questions = [spec.name for spec in specs if spec.name not in FORM_FIELDS]
            unanswered = [q for q in questions if q in missing]
            if (
                questions
                and len(unanswered) * 2 >= len(questions)
                and _labelled(instrument, export.extra_columns)
            ):
                # KoBo's default export writes the questions' labels as headers; the form's
                # own fields (no label) keep their names, and per-choice columns may match.
                raise JobFailed(
                    said(
                        "The file's headers are the questions' labels: export the data again "
                        "with question names as headers (KoBoToolbox: “XML values and headers”)."
                    )
                )
            if questions and set(questions) <= set(missing):
                # Only the form's own fields matched (case reference, start, end): a file
                # of another instrument's form, every row of which would be refused.
                raise JobFailed(
                    said(
                        "None of the file's columns answers a question of this instrument: "
                        "choose the instrument whose form collected it."
                    )
                )
            seen.id_column = export.id_column
            yield _Header(export.extra_columns, missing, str(export.tool), export.id_column)
            rows = iter(export.rows)
            # A small first chunk: the saving process waits for it, idle, before it can start.
            for size in chain([max(1, CHUNK // 4)], repeat(CHUNK)):
                chunk = list(islice(rows, size))
                if not chunk:
                    break
                yield _check_chunk(chunk, instrument, owner, cases, seen)
    except UnreadableFile as error:
        raise JobFailed(error.message) from None


def _save(owner: Any, batch: list[Prepared], report: _Report) -> None:
    """Save a chunk's good rows together (one insert, one audit entry each)."""
    if not batch:
        return
    try:
        save_responses(owner, batch)
    except Duplicate:  # imported meanwhile by someone else: save one by one, counting those
        for prepared in batch:
            try:
                save_responses(owner, [prepared])
            except Duplicate:
                report.duplicates += 1
                continue
            report.imported += 1
    else:
        report.imported += len(batch)


def _edited_since(instrument: Instrument, submission: Any, stored: dict[str, Any]) -> bool:
    """Whether a submission imported before now reads other answers than those kept."""
    definition = definition_of(instrument)
    given = {k: v for k, v in submission.answers.items() if v != "" and k not in FORM_FIELDS}
    if submission.problems or validate_answers(definition, given):
        return False  # not readable as answers: nothing to compare
    now = canonical_answers(definition, drop_irrelevant(definition, given))
    return now.keys() != stored.keys() or not all(same_answer(now[k], stored[k]) for k in now)


def _labelled(instrument: Instrument, columns: list[str]) -> bool:
    """Whether some of the file's unmatched columns are this instrument's question labels."""
    labels = {
        text.strip().casefold()
        for question in definition_of(instrument).questions
        for text in (question.label.en, question.label.fr, question.label.ar)
        if text
    }
    return any(column.strip().casefold() in labels for column in columns)


def _check_chunk(chunk: list[Any], instrument: Instrument, owner: Any, cases: Any, seen: _Seen) -> _Chunk:
    """Check and score each row of a chunk: a refused row is reported and leaves the others."""
    report = _Report()
    references = {str(s.answers.get(CASE_FIELD) or "").strip().upper() for s in chunk} - {""}
    # Only what matching, permission (countries) and the date checks read: whole cases cost
    # more to build than the rest of a row's checks.
    matched = loaded(cases.filter(reference__among=references), CASE_COLUMNS) if references else []
    by_reference = {c.reference: c for c in matched}
    # The checks of each case, once for the chunk: the uploader's permission and the
    # returnee's consent (a case failing either is checked again per row, which says why).
    found = list(by_reference.values())
    permitted = cases_permitting(owner, found, Perm.MONITORING_RECORD)
    seen.checked |= permitted & cases_consenting(permitted, ConsentPurpose.FOLLOW_UP)
    rounds = _open_rounds([c.pk for c in found], instrument.code)
    items = (
        items_by_type([c.pk for c in found], groups_everywhere(owner))
        if instrument.code == SATISFACTION
        else {}
    )
    stored = (
        Response.objects.filter(
            instrument=instrument, submission_id__among=[s.submission_id for s in chunk if s.submission_id]
        )
        .exclude(submission_id="")  # says nothing new, but lets the database use the partial unique index
        .values_list("submission_id", "answers", "case__reference", "corrected_at")
    )
    known = {sid: answers for sid, answers, _ref, _corrected in stored}
    # The case each was imported for, and whether it was corrected in REMIS since.
    imported_for = {sid: (reference, corrected) for sid, _answers, reference, corrected in stored}
    batch: list[Prepared] = []
    # Read once for the chunk: the active time zone is a context-local lookup, which was
    # asked twice a row (12,000 times for 6,000 rows).
    clock = (timezone.get_current_timezone(), timezone.localdate())
    for submission in chunk:
        report.rows += 1
        # The file's own rows first: an earlier row's response may be saved already.
        earlier = seen.submissions.get(submission.submission_id) if submission.submission_id else None
        if earlier is None and submission.submission_id in known:
            report.duplicates += 1
            # Its repeats further down the file are the file's own, as on the first import
            # (a re-import counted a row refused then as "already imported").
            seen.submissions[submission.submission_id] = submission.row
            reference, corrected = imported_for[submission.submission_id]
            given = str(submission.answers.get(CASE_FIELD) or "").strip().upper()
            if reference and given and given != reference:
                # Its case corrected in the tool: the response stayed on the first returnee,
                # reported "already imported" with nothing said.
                report.problem(
                    submission.row,
                    CASE_FIELD,
                    _(
                        "Imported before for case %(first)s; the collection tool now says %(given)s. "
                        "REMIS keeps it on %(first)s: if the tool is right, correct it in REMIS."
                    )
                    % {"first": reference, "given": given},
                    value=given,
                    submission=submission.submission_id,
                    note=True,
                )
                continue
            if corrected is not None:
                continue  # corrected in REMIS since: not "changed in the collection tool"
            if _edited_since(instrument, submission, known[submission.submission_id]):
                # Corrected in KoBo or ODK after it was imported: said, not silently dropped.
                report.problem(
                    submission.row,
                    seen.id_column,
                    _(
                        "Imported before, and its answers have been changed since in the collection "
                        "tool: REMIS keeps the answers first imported."
                    ),
                    value=submission.submission_id,
                    submission=submission.submission_id,
                    note=True,
                )
            continue
        if earlier is not None:
            # Not "already imported before": a tool never writes one submission twice, so
            # the file was edited or two exports joined; the first is kept, and said so.
            report.failed += 1
            report.problem(
                submission.row,
                seen.id_column,
                _("The same submission is on row %(row)s of this file: it is imported once.")
                % {"row": earlier},
                value=submission.submission_id,
                submission=submission.submission_id,
            )
            continue
        prepared = _prepare_row(
            submission,
            instrument,
            owner,
            by_reference,
            report,
            seen.checked,
            (rounds, seen.rounds),
            clock,
            items,
        )
        if prepared is not None:
            batch.append(prepared)
            if submission.submission_id:
                seen.submissions[submission.submission_id] = submission.row
    return _Chunk(report, batch)


def _prepare_row(
    submission: Any,
    instrument: Instrument,
    owner: Any,
    by_reference: dict[str, Any],
    report: _Report,
    checked: set[int],
    open_rounds: tuple[dict[int, list[FollowUp]], set[int]],
    clock: tuple[dt.tzinfo, dt.date],
    items: dict[int, dict[str, list[Any]]],
) -> Prepared | None:
    row = submission.row
    answers = {k: v for k, v in submission.answers.items() if v != ""}

    def refuse(field: str | None, message: str, value: Any = None) -> None:
        report.failed += 1
        if field and value is None:
            value = submission.answers.get(field, "")
        report.problem(row, field, message, value=value or "", submission=submission.submission_id)

    problems = submission.problems
    if answers.get("end") or answers.get("start"):
        # The interview's day is read from the form's own end (or start): a submission time
        # that a spreadsheet program rewrote in its local format ("23/11/2026 10:05") is
        # not needed, and refused every row of a file saved again from Excel.
        problems = tuple(p for p in problems if p.code != RowProblemCode.BAD_TIME)
    if problems:
        report.failed += 1
        for problem in problems:
            value = submission.answers.get(problem.column, "") if problem.column else ""
            report.problem(
                row, problem.column, problem.message, value=value, submission=submission.submission_id
            )
        return None
    meta = {name: str(answers.pop(name, "")).strip() for name in FORM_FIELDS}
    refusal: tuple[str, str] | None = None
    if meta[CODE_FIELD] and meta[CODE_FIELD] != instrument.code:
        refusal = (
            CODE_FIELD,
            _("This submission answers another instrument (%(code)s).") % {"code": meta[CODE_FIELD]},
        )
    elif meta[VERSION_FIELD] and meta[VERSION_FIELD] != str(instrument.version):
        refusal = (
            VERSION_FIELD,
            _("This submission answers version %(found)s of the instrument, not version %(version)s.")
            % {"found": meta[VERSION_FIELD], "version": instrument.version},
        )
    elif meta[CASE_FIELD] and meta[CASE_FIELD].upper() not in by_reference:
        refusal = (CASE_FIELD, _("No case you can see has this reference."))
    elif not meta[CASE_FIELD] and not meta[SAMPLE_FIELD]:
        refusal = (CASE_FIELD, _("The row has neither a case reference nor a sample ID."))
    if refusal is not None:
        refuse(refusal[0], refusal[1], meta.get(refusal[0], ""))
        return None
    zone, today = clock
    day, day_column = _interview_day(meta, submission.submitted_at, zone, today)
    if day is None:
        refuse(
            day_column,
            _("Not a date and time as KoBo and ODK write them (for example 2026-11-20T10:15:32.000+01:00)."),
            meta.get(day_column, ""),
        )
        return None
    case = by_reference.get(meta[CASE_FIELD].upper()) if meta[CASE_FIELD] else None
    item_key = None
    if instrument.code == SATISFACTION and case is not None:
        item_key, item_refusal = _item_of(items.get(case.pk, {}), meta[ITEM_FIELD])
        if item_refusal is not None:
            refuse(ITEM_FIELD, item_refusal, meta[ITEM_FIELD])
            return None
    rounds, taken = open_rounds
    follow_up, answered = _round_for(case, day, rounds, taken) if case else (None, None)
    spreadsheet_numbers(definition_of(instrument), answers)
    try:
        prepared = prepare_response(
            owner,
            instrument,
            answers=answers,
            collected_on=day,
            case=case,
            follow_up=follow_up,
            sample_id=meta[SAMPLE_FIELD] if case is None else "",
            item_key=item_key,
            source=ResponseSource.IMPORT,
            submission_id=submission.submission_id,
            checked=checked,
            today=today,
        )
    except ValidationFailed as error:
        report.failed += 1
        for name, message in error.errors:
            name = day_column if name == "collected_on" else (name or "").removeprefix("answers.")
            column = _file_column(name, meta)
            value = meta.get(column or "") if column in meta else answers.get(column or "", "")
            report.problem(row, column, message, value=value, submission=submission.submission_id)
    except DomainError as error:
        column = _file_column(day_column if error.field == "collected_on" else error.field, meta)
        refuse(column, error.message, meta.get(column) if column in meta else None)
    else:
        if answered is not None and instrument.code != SATISFACTION:
            # A second interview for a round done (a KoBo duplicate), not answers outside
            # any round: "the rounds stay due" was said of a round answered.
            refuse(
                day_column,
                _("Round %(round)s has its answers already: a round is answered once.") % {"round": answered},
                meta.get(day_column, ""),
            )
            return None
        if follow_up is not None:
            taken.add(follow_up.pk)  # only a row kept takes its round: a refused one leaves it
        elif case is not None and instrument.code != SATISFACTION:  # never in a round
            report.outside_count += 1
            if len(report.outside_rounds) < MAX_REPORTED:
                report.outside_rounds.append(row)
        return prepared
    return None


def _type_codes() -> frozenset[str]:
    """Every assistance type's code, retired ones too (an item may still have one)."""
    from remis.assistance.models import AssistanceType

    return frozenset(AssistanceType.objects.values_list("code", flat=True))


def _item_of(by_type: dict[str, list[Any]], code: str) -> tuple[Any, str | None]:
    """The key of the case's item of the type the submission names, or why there is none:
    the form asks which kind of assistance the answers are about, not which item."""
    if not code:
        return None, _("Say which assistance the answers are about (the form's assistance_type).")
    keys = by_type.get(code, [])
    if not keys and code not in _type_codes():
        # Not a type at all (a typo, a form of another programme): said so, not "the plan has none".
        return None, _("%(code)s is not one of the form's assistance types.") % {"code": code}
    if not keys:
        return None, _("The case's plan in force has no item of this type (%(code)s).") % {"code": code}
    if len(keys) > 1:
        return None, _(
            "The case's plan in force has %(count)s items of this type (%(code)s): record these "
            "answers on the case's page, where the item is chosen."
        ) % {"count": len(keys), "code": code}
    return keys[0], None


def _file_column(name: str | None, meta: dict[str, str]) -> str | None:
    """The column of the file a refusal is about: a question, a form field, the interview's
    day; a refusal about the case itself (its consent to follow-up contact, its scope)
    names the case reference, where the report named a column "consent" no file has."""
    if not name or name in meta or name in ("_submission_time", "collected_on"):
        return name
    if name in {"consent", "case", "case_id", "follow_up", "scope"}:
        return CASE_FIELD
    return ITEM_FIELD if name == "item_key" else name


def _interview_day(
    meta: dict[str, str], submitted_at: dt.datetime | None, zone: Any, today: dt.date
) -> tuple[dt.date | None, str]:
    """The day the returnee was interviewed, and the column it was read from: the form's
    `end` (or `start`), stamped by the phone when the form was filled in. The submission
    time is when the phone next had a connection, days or weeks later with offline
    collection: only without either is it taken, then the day of the import. The phone
    writes its own local time ("2026-11-20T10:15:32.000+01:00"): its day is the date part."""
    for name in ("end", "start"):
        if meta[name]:
            try:
                return dt.date.fromisoformat(meta[name][:10]), name
            except ValueError:
                return None, name
    if submitted_at is not None:
        return submitted_at.astimezone(zone).date(), "_submission_time"
    return today, "collected_on"


def _subject(job: Any) -> tuple[str, str] | None:
    kept = SubmissionUpload.objects.filter(job=job).values_list("filename", "uuid").first()
    return (kept[0], reverse("import_detail", args=[kept[1]])) if kept else None


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    if set(params) != {"upload"} or not SubmissionUpload.objects.filter(uuid=params["upload"]).exists():
        raise ValidationFailed(_("Upload the export to import from the imports page."), "upload")
    return {"upload": str(params["upload"])}


def register() -> None:
    register_job_kind(
        JobKind(
            code=IMPORT,
            label=gettext_lazy("Import KoBo or ODK submissions"),
            description=gettext_lazy(
                "Reads an uploaded KoBoToolbox or ODK Central export and saves each submission as a "
                "monitoring response of its case or comparison sample."
            ),
            run=import_submissions,
            may_start=may_import,
            clean_params=_clean,
            on_jobs_page=False,
            describe=_outcome,
            subject=_subject,
        )
    )
