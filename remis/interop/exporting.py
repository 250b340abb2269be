"""Exports of records to CSV or XLSX: the kinds on offer, and the writing of a file.

The apps that own records register what can be exported (`register_export`): a form of
filters, the columns, and a function that streams the rows of what the actor may read, in
chunks, with the sensitive field groups they do not hold left out ("Restricted"). interop
imports none of those apps: it keeps the request, runs it as a background job, writes the
file a chunk at a time (memory stays flat whatever the number of rows), and hands the file
to its requester only.

Every text cell goes through `remis.lib.spreadsheet` (`neutralise` for CSV, `xlsx_row`
for XLSX), so a value typed as `=HYPERLINK(…)` reaches a spreadsheet as text, never as a
formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from remis.lib.spreadsheet import neutralise, neutralised, sheet_title, xlsx_row
from remis.lib.text import group_separator, labelled

CHUNK = 1000  # rows read from the database at a time


@dataclass(frozen=True)
class ExportColumn:
    code: str  # the header with codes (stable; the import's column names where one exists)
    label: str | Promise  # the header with labels, in the requester's language
    # A coded cell as words, for a file asked with labels (a stage's name, a country's): a
    # file with codes keeps codes, to be corrected and imported again.
    words: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class Prepared:
    """What one export will write: its columns, how many records it reads (for progress),
    and the rows, produced a chunk at a time: each item is (how many records the chunk
    read, its rows), as a record gives several rows in long format."""

    columns: Sequence[ExportColumn]
    total: int
    chunks: Iterator[tuple[int, list[list[Any]]]]


@dataclass(frozen=True)
class ExportKind:
    code: str
    label: str | Promise
    description: str | Promise
    # The filters, a Django form built with the actor: form(actor, data=None).
    form: Callable[..., forms.Form]
    # The form's cleaned data as JSON-able params (codes and ids only), and back.
    params: Callable[[dict[str, Any]], dict[str, Any]]
    prepare: Callable[[Any, dict[str, Any]], Prepared]  # (actor, params)
    may_export: Callable[[Any], bool]
    # The params as the audit entry keeps them: without any free text a person typed
    # (a search can be a name), which an audit log must not hold.
    audited: Callable[[dict[str, Any]], dict[str, Any]] = lambda params: params
    # The form's initial values from the page the export was asked from (the case list's
    # filters as shown), given the request.
    initial: Callable[[Any], dict[str, Any]] = lambda request: {}


_kinds: dict[str, ExportKind] = {}


def register_export(kind: ExportKind) -> None:
    _kinds[kind.code] = kind


def export_kinds() -> list[ExportKind]:
    return list(_kinds.values())


def export_kind(code: str) -> ExportKind | None:
    return _kinds.get(code)


def describe(kind: ExportKind, actor: Any, params: dict[str, Any]) -> str:
    """The filters of an export in the reader's words: each field's label and the label of
    the value chosen, read from the kind's own form (the search's text stays out)."""
    form = kind.form(actor, initial=params)
    parts = []
    for name, value in kind.audited(params).items():
        field = form.fields.get(name)
        label: Any = name
        shown: Any = value
        if field is None:
            if name == "search":
                label, shown = _("Search"), _("yes")
        else:
            label = field.label or name
            choices = getattr(field, "choices", None)
            shown = dict((str(k), v) for k, v in choices).get(str(value), value) if choices else value
            if isinstance(value, bool):  # a box ticked: "Similar spellings: yes", not "True"
                shown = _("yes") if value else _("no")
        parts.append(labelled(label, shown))
    return group_separator().join(parts) or _("none: every record you may export")


# ---- writing ---------------------------------------------------------------------------


def _value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Promise):
        return str(value)
    return value


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _xlsx_value(value: Any) -> Any:
    """An XLSX cell: a day as a date cell, which a spreadsheet sorts and filters as a date
    (they were text); read back by the importer as the same ISO day (tables.py)."""
    value = _value(value)
    if isinstance(value, str) and ISO_DAY.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _cell(value: Any) -> Any:
    """A CSV cell (XLSX cells go through `xlsx_row`)."""
    return neutralise(_value(value))


def header_of(columns: Sequence[ExportColumn], with_labels: bool) -> list[str]:
    return [str(c.label) if with_labels else c.code for c in columns]


def _in_words(columns: Sequence[ExportColumn], rows: list[list[Any]], with_labels: bool) -> list[list[Any]]:
    """The chunk's coded cells in words when the file is asked with labels (the headers
    were labels over codes: "monitoring", "M", "BE")."""
    readers = [c.words for c in columns] if with_labels else []
    if not any(readers):
        return rows
    return [
        [
            read(value) if read and value not in (None, "") else value
            for read, value in zip(readers, row, strict=False)
        ]
        for row in rows
    ]


def write_csv(
    prepared: Prepared, with_labels: bool, progress: Callable[[int], None] | None = None
) -> tuple[IO[bytes], int]:
    """The rows as UTF-8 CSV with its byte order mark (Excel reads the text right), in a
    temporary file; and how many rows were written."""
    out = tempfile.TemporaryFile("w+b")
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(neutralised(header_of(prepared.columns, with_labels)))
    written = done = 0
    for records, chunk in prepared.chunks:
        chunk = _in_words(prepared.columns, chunk, with_labels)
        writer.writerows([[_cell(v) for v in row] for row in chunk])
        written += len(chunk)
        done += records
        if progress:
            progress(done)
    text.flush()
    text.detach()
    out.seek(0)
    return out, written


def write_xlsx(
    prepared: Prepared,
    with_labels: bool,
    *,
    title: str,
    about: list[tuple[str, str]],
    right_to_left: bool = False,
    progress: Callable[[int], None] | None = None,
) -> tuple[IO[bytes], int]:
    """The rows as a workbook written as it goes (openpyxl's write-only mode keeps one row
    in memory), with a second sheet, About: what was asked, by whom, when."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title(title))
    sheet.sheet_view.rightToLeft = right_to_left
    bold = Font(bold=True)
    heading = []
    for name in header_of(prepared.columns, with_labels):
        cell = WriteOnlyCell(sheet, value=_value(name))
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    written = done = 0
    for records, chunk in prepared.chunks:
        for row in _in_words(prepared.columns, chunk, with_labels):
            sheet.append(xlsx_row(sheet, [_xlsx_value(v) for v in row]))
        written += len(chunk)
        done += records
        if progress:
            progress(done)
    notes = book.create_sheet(sheet_title(_("About"), {sheet.title.casefold()}))
    notes.sheet_view.rightToLeft = right_to_left
    for key, value in about:
        notes.append(xlsx_row(notes, [_value(key), _value(value)]))
    out = tempfile.TemporaryFile("w+b")
    book.save(out)
    out.seek(0)
    return out, written
