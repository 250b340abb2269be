"""Submission exports built the way KoBoToolbox and ODK Central build them (see the
sources in `remis/interop/submissions.py`), for one small monitoring instrument:

    case_ref   text
    income     select_one
    support/needs          select_multiple: food water shelter   (in group "support")
    wellbeing/distress     select_one                            (in group "wellbeing")
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from remis.interop.columns import QuestionSpec

QUESTIONS = [
    QuestionSpec("case_ref"),
    QuestionSpec("income"),
    QuestionSpec("needs", multiple=True, choices=("food", "water", "shelter")),
    QuestionSpec("distress"),
]
CHOICES = ("food", "water", "shelter")
GROUPS = {"needs": "support", "distress": "wellbeing"}
KOBO_METADATA = [
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "meta/rootUuid",
    "_index",
]
CENTRAL_TRAILER = [
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
]
UUIDS = [
    "0b3c6d1e-8f41-4a8e-9c55-3f2a7d10e001",
    "0b3c6d1e-8f41-4a8e-9c55-3f2a7d10e002",
    "0b3c6d1e-8f41-4a8e-9c55-3f2a7d10e003",
]
ANSWERS: list[dict[str, str]] = [
    {"case_ref": "RET-2026-0001", "income": "enough", "needs": "food water", "distress": "never"},
    {"case_ref": "RET-2026-0002", "income": "not_enough", "needs": "", "distress": "often"},
    {"case_ref": "RET-2026-0003", "income": "enough", "needs": "shelter", "distress": ""},
]
TIMES = [datetime(2026, 11, 2, 9, 15, 0), datetime(2026, 11, 3, 17, 40, 12), datetime(2026, 11, 4, 8, 0, 1)]


def kobo_header(*, group_sep: str | None = None, multiple_select: str = "both") -> list[str]:
    """formpack's XML-names header: `hierarchy_in_labels` when `group_sep` is given."""

    def path(name: str) -> str:
        if group_sep is None or name not in GROUPS:
            return name
        return f"{GROUPS[name]}{group_sep}{name}"

    header = ["start", "end", path("case_ref"), path("income")]
    if multiple_select in ("both", "summary"):
        header.append(path("needs"))
    if multiple_select in ("both", "details"):
        header += [f"{path('needs')}{group_sep or '/'}{choice}" for choice in CHOICES]
    header.append(path("distress"))
    return header + KOBO_METADATA


def kobo_rows(*, multiple_select: str = "both", typed: bool = False) -> list[list[Any]]:
    """Rows as formpack formats them: choice flags 1/0, all empty when unanswered."""
    rows: list[list[Any]] = []
    for number, answers in enumerate(ANSWERS):
        time = TIMES[number]
        row: list[Any] = ["2026-11-02T09:00:00.000+01:00", "2026-11-02T09:12:00.000+01:00"]
        row += [answers["case_ref"], answers["income"]]
        chosen = answers["needs"].split()
        if multiple_select in ("both", "summary"):
            row.append(answers["needs"])
        if multiple_select in ("both", "details"):
            zero, one = (0, 1) if typed else ("0", "1")
            row += [(one if c in chosen else zero) if chosen else "" for c in CHOICES]
        row.append(answers["distress"])
        row += [
            1000 + number if typed else str(1000 + number),
            UUIDS[number],
            time if typed else time.isoformat(),
            "",
            "",
            "submitted_via_web",
            "",
            "vGqPZbm8nV4TkK2rW7wDxA",
            "",
            f"uuid:{UUIDS[number]}",
            number + 1 if typed else str(number + 1),
        ]
        rows.append(row)
    return rows


def kobo_csv(header: Sequence[str], rows: Sequence[Sequence[Any]], *, sep: str = ";") -> bytes:
    """formpack `Export.to_csv`: every field quoted, quotes doubled; kpi adds CRLF, UTF-8."""

    def line(values: Sequence[Any]) -> str:
        cells = [str(value).replace('"', '""') for value in values]
        return '"' + f'"{sep}"'.join(cells) + '"'

    return "".join(line(values) + "\r\n" for values in [header, *rows]).encode("utf-8")


def kobo_xlsx(header: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str = "Monitoring") -> bytes:
    """formpack `Export.to_xlsx`: xlsxwriter in constant-memory mode, dates formatted,
    zones removed, typed cells; repeat groups would follow as further sheets."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,
            "default_date_format": "yyyy-mm-dd",
            "remove_timezone": True,
            "in_memory": True,
        },
    )
    sheet = workbook.add_worksheet(title)
    for number, values in enumerate([header, *rows]):
        for column, value in enumerate(values):
            sheet.write(number, column, value)
    workbook.add_worksheet("repeat_visits").write_row(0, 0, ["visit_note", "_parent_index"])
    workbook.close()
    return buffer.getvalue()


def central_header(*, group_paths: bool = True, split: bool = False) -> list[str]:
    """central-backend `streamBriefcaseCsvs`: groups joined by `-`, then its trailer."""

    def path(name: str, group: str | None) -> str:
        return f"{group}-{name}" if group_paths and group else name

    header = ["SubmissionDate", "start", "end", "case_ref", "income", path("needs", "support")]
    if split:
        header += [f"{path('needs', 'support')}/{choice}" for choice in CHOICES]
    header += [path("distress", "wellbeing"), path("instanceID", "meta")]
    return header + CENTRAL_TRAILER


def central_rows(*, split: bool = False) -> list[list[str]]:
    rows = []
    for number, answers in enumerate(ANSWERS):
        chosen = answers["needs"].split()
        row = [TIMES[number].isoformat(timespec="milliseconds") + "Z", "", ""]
        row += [answers["case_ref"], answers["income"], answers["needs"]]
        if split:
            row += ["1" if c in chosen else "" for c in CHOICES]
        row += [answers["distress"], f"uuid:{UUIDS[number]}", f"uuid:{UUIDS[number]}"]
        row += ["5", "Field team 1", "0", "0", "", "", "", "0", "2026110101"]
        rows.append(row)
    return rows


def central_csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    """csv-stringify's defaults: `,`, quotes only when needed, LF, no BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def central_zip(form_id: str, main_csv: bytes) -> bytes:
    """The "all submissions" download: the main table, a repeat table, a media folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{form_id}-visits.csv", "visit_note,PARENT_KEY,KEY\n")
        archive.writestr(f"{form_id}.csv", main_csv)
        archive.writestr("media/photo.jpg", b"\xff\xd8\xff")
    return buffer.getvalue()
