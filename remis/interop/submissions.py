"""Read a submission export from KoBoToolbox or ODK Central as rows of answers keyed by the
instrument's question names, each with a normalised submission id and time, streaming.

    with read_submissions(upload.file, upload.name, questions=specs) as export:
        export.extra_columns      # named in the import report
        for submission in export.rows:
            submission.row, submission.submission_id, submission.submitted_at,
            submission.answers, submission.problems

What the tools write, as verified in their code (2026) — the tests build files this way:

KoBoToolbox (kobotoolbox/kpi `kpi/models/import_export_task.py`, which drives
kobotoolbox/formpack `src/formpack/reporting/export.py` and `schema/fields.py`):
- CSV: `Export.to_csv(sep=';', quote='"')` quotes every field and doubles inner quotes;
  kpi writes each line + `\\r\\n`, UTF-8 without a BOM. Users re-saving in Excel get `,`
  or a BOM: both read.
- XLSX ("xls" in the UI): written by xlsxwriter in constant-memory mode (inline strings),
  one sheet per repeat group, the main table first; numbers, 0/1 choice flags and
  `_submission_time` are typed cells (`xls_types_as_text` is false), dates formatted.
- Headers: `lang="_xml"` ("XML values and headers") gives question names; the default is
  labels, which cannot be mapped and are refused with a hint (NO_QUESTION).
  `hierarchy_in_labels` (off by default) prefixes group names joined by `group_sep`
  (default `/`; `-` is common).
- Select multiple, `multiple_select="both"` by default: the space-separated column, then
  one column per choice named `<question><group_sep><choice>` holding `1`/`0` (all empty
  when the question was not answered); `or_other` adds `<question>/other`. "summary"
  gives only the first, "details" only the per-choice columns.
- Metadata copied into every export: `_id` (integer), `_uuid` (instance ID without
  `uuid:`), `_submission_time` (UTC, `YYYY-MM-DDTHH:MM:SS`, no zone), `_validation_status`,
  `_notes`, `_status`, `_submitted_by`, `__version__`, `_tags`, `meta/rootUuid`
  (`uuid:…`, the same across edits), `_index`; a row of HXL hashtags under the header
  when the form has `hxl` tags (`tag_cols_for_header`, default `['hxl']`).

ODK Central (getodk/central-backend `lib/data/briefcase.js`, `streamBriefcaseCsvs`;
options in `lib/util/db.js` and `lib/resources/submissions.js`):
- CSV only, by csv-stringify with its defaults: `,`, quotes only when needed, `\\n`
  line ends, no BOM; the download is a zip holding `<form id>.csv` (plus one CSV per
  repeat group), also read here, or the CSV alone.
- Columns: `SubmissionDate` (ISO 8601 with `Z`) first, the form's fields with group
  paths joined by `-` (`groupPaths=true` by default; bare names when false), geopoints
  as four columns, then `KEY` (the instance ID, `uuid:…`), `SubmitterID`,
  `SubmitterName`, `AttachmentsPresent`, `AttachmentsExpected`, `Status`,
  `ReviewState`, `DeviceID`, `Edits`, `FormVersion`. The form's `meta/instanceID`
  appears as `meta-instanceID` (or `instanceID`).
- Select multiple: one space-separated column; with `splitSelectMultiples=true` (off by
  default) also `<question header>/<choice>` columns holding `1` for a chosen value and
  nothing otherwise.

Not read: repeat groups (other sheets or zip members), geopoint parts beyond a question
of that name, label-headed exports. Older ODK Briefcase exports share Central's shape but
may date `SubmissionDate` in a locale format, which is reported as a row problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import IO

from django.utils.translation import gettext as _

from remis.interop.columns import ColumnPlan, QuestionSpec, plan_columns
from remis.interop.tables import Table, TableFormat, TableRow, open_table

__all__ = [
    "ExportTool",
    "QuestionSpec",
    "RowProblem",
    "RowProblemCode",
    "Submission",
    "SubmissionExport",
    "read_submissions",
]

CHOSEN = frozenset({"1", "1.0", "true", "True", "TRUE"})
NOT_CHOSEN = frozenset({"0", "0.0", "false", "False", "FALSE", ""})
NO_PROBLEMS: tuple[RowProblem, ...] = ()


class ExportTool(StrEnum):
    KOBO = "kobo"
    ODK_CENTRAL = "odk_central"
    UNKNOWN = "unknown"


class RowProblemCode(StrEnum):
    NO_ID = "no_id"  # the row's identifier cells are all empty
    BAD_TIME = "bad_time"  # the submission time is not an ISO 8601 date and time
    BAD_CHOICE_FLAG = "bad_choice_flag"  # a per-choice column holds something else than 1/0
    CHOICES_DISAGREE = "choices_disagree"  # the single column and the per-choice columns differ
    OVERFLOW = "overflow"  # values beyond the header's last column


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int
    column: str | None
    code: RowProblemCode
    message: str


@dataclass(slots=True)
class Submission:
    row: int  # as a spreadsheet shows it: the header is row 1
    submission_id: str  # lower case, without "uuid:"; "" when missing (a NO_ID problem says so)
    submitted_at: datetime | None  # aware, UTC
    form_version: str  # KoBo's `__version__` or Central's `FormVersion`, "" when absent
    answers: dict[str, str]  # question name -> value; select-multiple values space-separated
    problems: tuple[RowProblem, ...] = NO_PROBLEMS


@dataclass
class SubmissionExport:
    """An open export. `rows` streams once, inside `read_submissions`'s block."""

    table: Table
    plan: ColumnPlan
    tool: ExportTool
    rows: Iterator[Submission] = field(init=False)

    @property
    def format(self) -> TableFormat:
        return self.table.format

    @property
    def extra_columns(self) -> list[str]:
        """Columns that are neither questions nor a tool's known metadata: ignored."""
        return self.plan.extra

    @property
    def metadata_columns(self) -> list[str]:
        """The tool's own columns that are recognised and not read (`_notes`, `Status`...)."""
        return self.plan.metadata

    @property
    def missing_questions(self) -> list[str]:
        return self.plan.missing

    @property
    def id_column(self) -> str:
        return self.plan.ids[0][1]


@contextmanager
def read_submissions(
    file: IO[bytes],
    filename: str = "",
    *,
    questions: Mapping[str, QuestionSpec] | Iterable[QuestionSpec | str],
    sheet: str | None = None,
) -> Iterator[SubmissionExport]:
    """Open a submission export. `questions` are the instrument's questions (a bare name
    is a question that is not a select-multiple). Raises `UnreadableFile` when the file or
    its header cannot be read (also while iterating, for damage met late); a problem
    confined to a row is a `RowProblem` on that row, and the other rows go on."""
    given = questions.values() if isinstance(questions, Mapping) else questions
    specs = [QuestionSpec(spec) if isinstance(spec, str) else spec for spec in given]
    with open_table(file, filename, sheet=sheet) as table:
        plan = plan_columns(table.header, specs)
        export = SubmissionExport(table=table, plan=plan, tool=_tool(table.header))
        export.rows = _submissions(table, plan)
        yield export


def _tool(header: list[str]) -> ExportTool:
    names = set(header)
    if names & {"_uuid", "_submission_time", "_id", "meta/rootUuid"}:
        return ExportTool.KOBO
    if names & {"KEY", "SubmissionDate"}:
        return ExportTool.ODK_CENTRAL
    return ExportTool.UNKNOWN


def _submissions(table: Table, plan: ColumnPlan) -> Iterator[Submission]:
    header = table.header
    plain = plan.plain
    multiples = [
        (q, plan.summary.get(q), plan.split.get(q, [])) for q in dict.fromkeys([*plan.summary, *plan.split])
    ]
    ids = plan.ids
    time = plan.time
    version_index = plan.version[0] if plan.version else None
    for row in table.rows:
        cells = row.cells
        problems: list[RowProblem] = []
        answers = {question: cells[index].strip() for index, question in plain}
        for question, summary_index, split in multiples:
            answers[question] = _multiple(row, header, question, summary_index, split, problems)
        submission_id = _submission_id(cells, ids)
        if not submission_id:
            problems.append(
                RowProblem(
                    row.number,
                    ids[0][1],
                    RowProblemCode.NO_ID,
                    _("Row %(row)s has no submission identifier (%(column)s is empty).")
                    % {"row": row.number, "column": ids[0][1]},
                )
            )
        submitted_at = _time(row, time, problems) if time else None
        if row.overflow:
            problems.append(_overflow(row))
        yield Submission(
            row=row.number,
            submission_id=submission_id,
            submitted_at=submitted_at,
            form_version=cells[version_index].strip() if version_index is not None else "",
            answers=answers,
            problems=tuple(problems) if problems else NO_PROBLEMS,
        )


def _submission_id(cells: list[str], ids: list[tuple[int, str]]) -> str:
    """The first non-empty identifier, the most stable first (older KoBo rows have no
    `meta/rootUuid`: they fall back to `_uuid`), without `uuid:` and in lower case, so that
    KoBo's `_uuid` and its `meta/instanceID` name one submission alike."""
    for index, _name in ids:
        value = cells[index].strip()
        if value:
            if value[:5].lower() == "uuid:":
                value = value[5:]
            return value.lower()
    return ""


def _time(row: TableRow, time: tuple[int, str], problems: list[RowProblem]) -> datetime | None:
    index, column = time
    value = row.cells[index].strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        problems.append(
            RowProblem(
                row.number,
                column,
                RowProblemCode.BAD_TIME,
                _("Row %(row)s, %(column)s: “%(value)s” is not a date and time (2026-11-30T14:05:00).")
                % {"row": row.number, "column": column, "value": value[:40]},
            )
        )
        return None
    # KoBo writes UTC without a zone.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _multiple(
    row: TableRow,
    header: list[str],
    question: str,
    summary_index: int | None,
    split: list[tuple[int, str]],
    problems: list[RowProblem],
) -> str:
    """One space-separated value from the single column, the per-choice columns, or both
    (then they must agree)."""
    cells = row.cells
    summary = " ".join(cells[summary_index].split()) if summary_index is not None else None
    if not split:
        return summary or ""
    chosen: list[str] = []
    for index, choice in split:
        flag = cells[index].strip()
        if flag in CHOSEN:
            chosen.append(choice)
        elif flag not in NOT_CHOSEN:
            problems.append(
                RowProblem(
                    row.number,
                    header[index],
                    RowProblemCode.BAD_CHOICE_FLAG,
                    _("Row %(row)s, %(column)s: “%(value)s” should be 1 (chosen) or 0 (not chosen).")
                    % {"row": row.number, "column": header[index], "value": flag[:40]},
                )
            )
    if summary is None:
        return " ".join(chosen)
    if set(summary.split()) != set(chosen) and (summary or chosen):
        problems.append(
            RowProblem(
                row.number,
                header[summary_index] if summary_index is not None else question,
                RowProblemCode.CHOICES_DISAGREE,
                _(
                    "Row %(row)s, %(question)s: the answer “%(summary)s” and the per-choice "
                    "columns (%(chosen)s) disagree."
                )
                % {
                    "row": row.number,
                    "question": question,
                    "summary": summary[:80],
                    "chosen": " ".join(chosen) or "-",
                },
            )
        )
    return summary


def _overflow(row: TableRow) -> RowProblem:
    return RowProblem(
        row.number,
        None,
        RowProblemCode.OVERFLOW,
        _("Row %(row)s has values beyond the last column (%(values)s): a separator inside an unquoted value?")
        % {
            "row": row.number,
            "values": ", ".join(v[:20] for v in row.overflow[:3]),
        },
    )
