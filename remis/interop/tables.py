"""Read an uploaded table (CSV, XLSX, or a zip of CSVs) as a header and a stream of rows,
whatever the tool that wrote it, without loading it whole into memory.

The format is told by content, never by the file name: a zip whose parts include
`xl/workbook.xml` is a workbook (read by openpyxl in read-only mode, rows streamed); another
zip is searched for its CSV (ODK Central's "all submissions" download is a zip of
`<form id>.csv` plus one `<form id>-<repeat>.csv` per repeat group); an OLE2 file is an old
`.xls`, refused with a hint; anything else must be text.

Text is UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8" writes one, KoBo and
ODK Central do not), or UTF-16 with its mark (Excel's "Unicode text") or without it when
its header shows it plainly (`_utf16_without_mark`). Nothing else is guessed:
a file that is not valid UTF-8, typically a Latin-1 / Windows-1252 export from an old
Excel, is refused before any row is read, naming the line and byte, because decoding it as
something else would silently turn "é" into "Ã©" or worse. The check is one streaming pass
over the bytes.

The delimiter is the most frequent of `;`, `,` and tab outside quotes in the header record
(KoBo writes `;` with every field quoted and CRLF line ends; ODK Central writes `,` and
quotes only when needed, with LF: see `remis/interop/submissions.py`), or the one an Excel
`sep=;` first line names. Line ends may be CRLF, LF or CR; quoted fields may span lines.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is
row 2, a blank line counts as a row (it is skipped, not reported). A row of HXL hashtags
right under the header (KoBo adds one when the form has `hxl` tags) is recognised and kept
apart in `Table.hxl_tags`.

Security: workbooks are XML in a zip. The zip's declared sizes bound what is decompressed
(zipfile stops at them), so the shared-strings part, which openpyxl loads whole, is refused
above `MAX_SHARED_STRINGS_BYTES`; sheets are streamed. Expat (2.4+) refuses entity
expansion bombs.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import IO, Any, NamedTuple

from django.utils.formats import number_format
from django.utils.translation import gettext_noop

from remis.interop.errors import ReadErrorCode, UnreadableFile
from remis.lib.posted import posted_id
from remis.lib.said import said

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls, and other OLE2 files
UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
MAX_SHARED_STRINGS_BYTES = 256 * 1024 * 1024
CHUNK = 1024 * 1024
DELIMITERS = (";", ",", "\t")
HXL_TAG = re.compile(r"#[A-Za-z][A-Za-z0-9_]*(\s*\+[A-Za-z][A-Za-z0-9_]*)*")


class TableFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    ZIPPED_CSV = "zipped_csv"  # a zip holding the CSV (ODK Central's submissions download)


class TableRow(NamedTuple):
    number: int  # 1-based, as a spreadsheet shows it (the header is row 1)
    cells: list[str]  # exactly as many as header columns, "" for an empty cell
    overflow: list[str]  # non-empty cells beyond the header's last column (a misplaced delimiter)


@dataclass
class Table:
    """An open table. `rows` can be iterated once; read it inside `open_table`'s block."""

    format: TableFormat
    header: list[str]
    rows: Iterator[TableRow]
    delimiter: str | None = None  # CSV only
    encoding: str | None = None  # CSV only: "utf-8", "utf-8-sig" (with a BOM) or "utf-16"
    line_ending: str | None = None  # CSV only: "\r\n", "\n" or "\r" after the header
    sheet: str | None = None  # the worksheet (XLSX) or zip member (zipped CSV) read
    hxl_tags: list[str] | None = field(default=None)


@contextmanager
def open_table(file: IO[bytes], filename: str = "", *, sheet: str | None = None) -> Iterator[Table]:
    """Open an uploaded file as a table: `with open_table(f, name) as table: ...`.

    `sheet` names the worksheet of a workbook (the first one otherwise) or the CSV inside a
    zip. Raises `UnreadableFile` for anything that cannot be read, including while the
    rows are iterated (a damaged workbook part, a record the csv module refuses)."""
    with ExitStack() as stack:
        source = _seekable(file, stack)
        head = source.read(8)
        source.seek(0)
        if not head:
            raise UnreadableFile(said("The file is empty."), code=ReadErrorCode.EMPTY)
        if head.startswith(OLE2_MAGIC):
            raise UnreadableFile(
                said(
                    "This is an Excel 97-2003 (.xls) file, which cannot be read. Save it as "
                    "an Excel workbook (.xlsx) or as CSV UTF-8."
                ),
                code=ReadErrorCode.OLD_EXCEL,
            )
        if head.startswith(ZIP_MAGIC):
            table = _open_zip(source, sheet, stack)
        else:
            table = _open_csv(source, stack)
        yield _with_hxl_row(table)


def _seekable(file: IO[bytes], stack: ExitStack) -> IO[bytes]:
    """Encoding is checked in a first pass and the workbook reader seeks: a stream that
    cannot seek is spooled (to disk past 16 MB) first."""
    if file.seekable():
        file.seek(0)
        return file
    spool: IO[bytes] = stack.enter_context(tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024))
    while chunk := file.read(CHUNK):
        spool.write(chunk)
    spool.seek(0)
    return spool


# -- text ---------------------------------------------------------------------------------


def _open_csv(source: IO[bytes], stack: ExitStack, member: str | None = None) -> Table:
    head = source.read(256)
    source.seek(0)
    if head.startswith(UTF8_BOM):
        encoding = "utf-8-sig"
    elif head.startswith(UTF16_BOMS):
        encoding = "utf-16"
    else:
        encoding = _utf16_without_mark(head) or "utf-8"
    try:
        check_encoding(source, encoding)
    except UnreadableFile:
        raise
    except Exception as exc:  # a zip member that fails to decompress
        if member is None:
            raise
        raise _damaged(exc) from exc
    source.seek(0)
    text = io.TextIOWrapper(source, encoding=encoding, newline="")
    # Detached, not closed, at the end: the caller's file stays open for the caller to close.
    stack.callback(text.detach)
    sample = text.read(64 * 1024)
    text.seek(0)
    delimiter, line_ending, skip_sep_line = _sniff(sample)
    if skip_sep_line:
        text.readline()
    reader = csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
    rows = _csv_rows(reader, in_zip=member is not None)
    header = _header(rows)
    return Table(
        format=TableFormat.ZIPPED_CSV if member else TableFormat.CSV,
        header=header,
        rows=_shaped(rows, len(header)),
        delimiter=delimiter,
        encoding=encoding,
        line_ending=line_ending,
        sheet=member,
    )


def _utf16_without_mark(head: bytes) -> str | None:
    """UTF-16 saved without its byte-order mark (some exports of other databases): the
    header's letters, Latin in every tool's column names, leave a zero byte in every other
    position, on the same side throughout. That is read as such, not guessed: a file whose
    first bytes are not so regular is left to be refused as it is (no mark, not UTF-8)."""
    pairs = len(head) // 2
    if pairs < 4:
        return None
    low = sum(1 for i in range(pairs) if head[2 * i + 1] == 0 and head[2 * i] != 0)  # "h\0e\0"
    high = sum(1 for i in range(pairs) if head[2 * i] == 0 and head[2 * i + 1] != 0)  # "\0h\0e"
    if low >= 0.9 * pairs:
        return "utf-16-le"
    if high >= 0.9 * pairs:
        return "utf-16-be"
    return None


def check_encoding(source: IO[bytes], encoding: str) -> None:
    """Read the whole stream once and refuse it if it does not decode, naming the line and
    byte of the first bad sequence and showing it in hex. UTF-8 text holding NUL bytes is
    binary content under a text name (a PDF, a picture) and refused as such."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    lines = 0
    line_start = 0  # the offset of the current line's first byte
    while chunk := source.read(CHUNK):
        # Binary content first: a picture or a PDF renamed .csv is not text in any encoding
        # (advice to save it again as UTF-8 would mislead).
        if not encoding.startswith("utf-16") and b"\x00" in chunk:
            raise UnreadableFile(
                said("The file is neither a CSV text file nor an Excel workbook (.xlsx)."),
                code=ReadErrorCode.NOT_A_TABLE,
                line=lines + chunk.count(b"\n", 0, chunk.index(b"\x00")) + 1,
                byte_offset=offset + chunk.index(b"\x00"),
            )
        # The decoder keeps the first bytes of a character cut by the chunk's end, and
        # reports positions in those bytes + the chunk (after the BOM it skipped, at first).
        pending = decoder.getstate()[0]
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            data = pending + chunk
            start = exc.start + (len(UTF8_BOM) if offset == 0 and encoding == "utf-8-sig" else 0)
            bad = offset - len(pending) + start
            line = lines + data.count(b"\n", 0, start) + 1
            newline = data.rfind(b"\n", 0, start)
            first = offset - len(pending) + newline + 1 if newline >= 0 else line_start
            shown = data[start : start + 4].hex(" ").upper()
            raise UnreadableFile(
                said(
                    "The file is not UTF-8 text: line %(line)s, byte %(byte)s of the line (%(hex)s) "
                    "cannot be read. It was probably saved in a regional encoding (Latin-1, "
                    'Windows-1252). Export or save it again as "CSV UTF-8".',
                    {"line": line, "byte": bad - first + 1, "hex": shown},
                ),
                code=ReadErrorCode.NOT_UTF8,
                line=line,
                byte_offset=bad,
            ) from exc
        if b"\n" in chunk:
            line_start = offset + chunk.rindex(b"\n") + 1
        offset += len(chunk)
        lines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            said(
                "The file is not UTF-8 text: it ends in the middle of a character (byte %(byte)s).",
                {"byte": offset},
            ),
            code=ReadErrorCode.NOT_UTF8,
            line=lines + 1,
            byte_offset=offset - 1,
        ) from exc


def _sniff(sample: str) -> tuple[str, str | None, bool]:
    """The delimiter and line ending of the header record, and whether an Excel `sep=`
    line comes first. Counting outside quotes only: KoBo quotes every header, and a
    question label may hold commas."""
    first_line = sample.split("\n", 1)[0].rstrip("\r")
    if first_line.startswith("sep=") and len(first_line) == 5:
        rest = sample[len(first_line) :].lstrip("\r\n")
        _delimiter, line_ending, _sep = _sniff(rest)
        return first_line[4], line_ending, True
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    line_ending = None
    for index, char in enumerate(sample):
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char in counts:
            counts[char] += 1
        elif char in "\r\n":
            line_ending = "\r\n" if sample[index : index + 2] == "\r\n" else char
            break
    best = max(DELIMITERS, key=lambda d: counts[d])
    return (best if counts[best] else ","), line_ending, False


def _csv_rows(reader: Any, *, in_zip: bool) -> Iterator[tuple[int, list[str]]]:
    number = 0
    try:
        for cells in reader:
            number += 1
            yield number, cells
    except csv.Error as exc:
        # The reader is strict: read leniently, a quote never closed took every line after it
        # into one value (two people's rows became another's address) and the file "imported".
        if "unexpected end of data" in str(exc):
            message = gettext_noop(
                'Row %(row)s opens a quoted value (") that is never closed: every line after it '
                "would be read into that value. Close the quote, or remove it."
            )
        elif "field larger than field limit" in str(exc):
            # Python's own words, in English on every page: said in the reader's language.
            message = gettext_noop(
                "Row %(row)s has a value longer than %(limit)s characters, more than any field "
                "holds: check that the file is the export meant, and that no quote is left open."
            )
        elif "expected after" in str(exc):
            message = gettext_noop(
                'Row %(row)s has text right after the quote (") closing a value: quote the whole '
                'value, writing each quote inside it twice ("").'
            )
        else:
            message = gettext_noop("Row %(row)s cannot be read as CSV: %(reason)s")
        raise UnreadableFile(
            said(
                message,
                {
                    "row": number + 1,
                    "reason": exc,
                    "limit": number_format(csv.field_size_limit(), force_grouping=True),
                },
            ),
            code=ReadErrorCode.BAD_CSV,
            row=number + 1,
        ) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        if not in_zip:  # only a zip member decompresses: anything else is not the file's fault
            raise
        raise _damaged(exc, row=number + 1) from exc


# -- zip: a workbook, or CSVs ---------------------------------------------------------------


def _open_zip(source: IO[bytes], sheet: str | None, stack: ExitStack) -> Table:
    try:
        archive = zipfile.ZipFile(source)
        names = archive.namelist()
    except Exception as exc:  # zipfile raises anything from BadZipFile to NotImplementedError
        # Not the library's own words ("File is not a zip file"), which stayed English on
        # every page: what it means for the person holding the file.
        raise UnreadableFile(
            said(
                "The file looks like an Excel workbook or a zip, but it is damaged or cut short: "
                "save it again from the program that made it, then upload it again."
            ),
            code=ReadErrorCode.BAD_WORKBOOK,
        ) from exc
    if "xl/workbook.xml" in names:
        sizes = {info.filename: info.file_size for info in archive.infolist()}
        archive.close()  # openpyxl opens its own
        return _open_workbook(source, sizes, sheet, stack)
    stack.enter_context(archive)
    member = _csv_member(names, sheet)
    try:
        part = stack.enter_context(archive.open(member))
    except Exception as exc:  # a damaged member: any failure is the file's
        raise _damaged(exc) from exc
    return _open_csv(part, stack, member=member)


def _csv_member(names: list[str], sheet: str | None) -> str:
    """ODK Central names the main table `<form id>.csv` and each repeat group's
    `<form id>-<repeat>.csv`: the main one is the CSV whose name starts every other's."""
    csvs = [name for name in names if name.lower().endswith(".csv") and not name.endswith("/")]
    if sheet is not None:
        if sheet in csvs:
            return sheet
        raise _no_sheet(sheet, csvs)
    stems = [name[: -len(".csv")] for name in csvs]
    roots = [name for name, stem in zip(csvs, stems, strict=True) if all(s.startswith(stem) for s in stems)]
    if len(roots) == 1:
        return roots[0]
    if not csvs:
        raise UnreadableFile(
            said("The zip file holds no CSV file and is not an Excel workbook (.xlsx)."),
            code=ReadErrorCode.NOT_A_TABLE,
        )
    # Several tables and none the main one: which to read is the uploader's choice, named
    # in the sheet field ("There is no sheet or file named “two.zip”" asked for nothing).
    raise UnreadableFile(
        said(
            "The zip file holds several CSV files: give the one to read as the sheet: %(available)s.",
            {"available": ", ".join(f"“{name}”" for name in csvs)},
        ),
        code=ReadErrorCode.NO_SHEET,
    )


def _open_workbook(source: IO[bytes], sizes: dict[str, int], sheet: str | None, stack: ExitStack) -> Table:
    import openpyxl  # imported here: most requests never read a workbook

    for name, size in sizes.items():
        if name.endswith("sharedStrings.xml") and size > MAX_SHARED_STRINGS_BYTES:
            raise UnreadableFile(
                said(
                    "The workbook's text is too large to read (over %(mb)s MB). Export it as CSV.",
                    {"mb": MAX_SHARED_STRINGS_BYTES // (1024 * 1024)},
                ),
                code=ReadErrorCode.BAD_WORKBOOK,
            )
    source.seek(0)
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises anything from KeyError to XML errors
        raise _damaged(exc) from exc
    stack.callback(workbook.close)
    if sheet is None:
        worksheet = workbook.worksheets[0]
    elif sheet in workbook.sheetnames:
        worksheet = workbook[sheet]
    else:
        raise _no_sheet(sheet, list(workbook.sheetnames))
    _refuse_uncalculated_formulas(workbook, worksheet)
    # A workbook written in streaming mode may declare a wrong size: read to the real end.
    worksheet.reset_dimensions()
    rows = _workbook_rows(worksheet.iter_rows(values_only=True))
    header = _header(rows)
    return Table(
        format=TableFormat.XLSX, header=header, rows=_shaped(rows, len(header)), sheet=worksheet.title
    )


FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _refuse_uncalculated_formulas(workbook: Any, worksheet: Any) -> None:
    """A cell holding a formula but no saved result reads as empty (openpyxl gives the
    result a spreadsheet program stored, and a workbook written by a script, openpyxl's
    own included, stores none): its value would be lost without a word, or refused as
    missing while the person sees a formula. The file is refused, naming the first such
    cell. Most workbooks hold no formula: one fast byte search over the sheet decides, and
    only a sheet with formulas is parsed for cells without a result (`_no_result`)."""
    from defusedxml.ElementTree import iterparse

    archive = getattr(workbook, "_archive", None)
    path = getattr(worksheet, "_worksheet_path", None)
    if archive is None or path is None:  # another openpyxl: the check is skipped, not guessed
        return
    try:
        with archive.open(path) as part:
            tail = b""
            while chunk := part.read(CHUNK):
                if FORMULA_TAG.search(tail + chunk):
                    break
                tail = chunk[-32:]
            else:
                return
        with archive.open(path) as part:
            holder = None
            for event, element in iterparse(part, events=("start", "end")):
                if event == "start":
                    if element.tag == f"{SHEET_NS}sheetData":
                        holder = element
                    continue
                if element.tag != f"{SHEET_NS}row":
                    continue
                for cell in element.iter(f"{SHEET_NS}c"):
                    if cell.find(f"{SHEET_NS}f") is not None and _no_result(cell):
                        reference = cell.get("r") or ""
                        raise UnreadableFile(
                            said(
                                "Cell %(cell)s holds a formula whose result was never calculated "
                                "(the program that wrote the file does not calculate): open the "
                                "file in a spreadsheet program and save it, or type the values.",
                                {"cell": reference},
                            ),
                            code=ReadErrorCode.UNCALCULATED_FORMULA,
                            row=_row_of(reference),
                        )
                if holder is not None:
                    holder.clear()  # memory stays flat: rows already checked are dropped
    except UnreadableFile:
        raise
    except Exception as exc:  # a damaged part: any failure is the file's
        raise _damaged(exc) from exc


def _no_result(cell: Any) -> bool:
    """No `<v>`, or an empty one on a cell not typed as text: openpyxl writes `<v/>` for a
    formula it cannot calculate; a formula whose result is empty text is saved typed `str`."""
    result = cell.find(f"{SHEET_NS}v")
    return result is None or (not result.text and cell.get("t", "n") not in ("str", "s"))


def _row_of(reference: str) -> int | None:
    digits = reference.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return posted_id(digits)


def _workbook_rows(values: Iterable[tuple[Any, ...]]) -> Iterator[tuple[int, list[str]]]:
    number = 0
    iterator = iter(values)
    while True:
        try:
            cells = next(iterator)
        except StopIteration:
            return
        except Exception as exc:  # a damaged sheet part, met while streaming
            raise _damaged(exc, row=number + 1) from exc
        number += 1
        yield number, [cell_text(value) for value in cells]


def cell_text(value: Any) -> str:
    """A workbook cell as the text a CSV export of it would hold: KoBo's XLSX writes
    numbers, booleans and dates as typed cells (its CSV writes their text)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel stores every number as a float: 3.0 was typed 3.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()  # a date cell: Excel and openpyxl give it a midnight
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


# -- shared -------------------------------------------------------------------------------


def _header(rows: Iterator[tuple[int, list[str]]]) -> list[str]:
    """The first non-blank row, trimmed, without trailing empty cells; names must be unique."""
    for number, cells in rows:
        header = [cell.strip() for cell in cells]
        while header and not header[-1]:
            header.pop()
        if not header:
            continue
        seen: set[str] = set()
        for name in header:
            if name and name in seen:
                raise UnreadableFile(
                    said(
                        "The column %(column)s appears twice in the header (row %(row)s).",
                        {"column": name, "row": number},
                    ),
                    code=ReadErrorCode.DUPLICATE_COLUMN,
                    row=number,
                    column=name,
                )
            seen.add(name)
        return header
    raise UnreadableFile(said("The file has no header row."), code=ReadErrorCode.EMPTY)


def _shaped(rows: Iterator[tuple[int, list[str]]], width: int) -> Iterator[TableRow]:
    """Rows as long as the header; blank rows skipped; what spills past the header kept
    apart so that the reader can report it rather than drop it."""
    for number, cells in rows:
        if len(cells) == width:
            if any(cells):
                yield TableRow(number, cells, [])
            continue
        if len(cells) < width:
            if any(cells):
                yield TableRow(number, cells + [""] * (width - len(cells)), [])
            continue
        overflow = [cell for cell in cells[width:] if cell.strip()]
        if overflow or any(cells[:width]):
            yield TableRow(number, cells[:width], overflow)


def _with_hxl_row(table: Table) -> Table:
    """Keep a row of HXL hashtags under the header out of the data rows."""
    first = next(table.rows, None)
    if first is None:
        return table
    filled = [cell.strip() for cell in first.cells if cell.strip()]
    if filled and all(HXL_TAG.fullmatch(cell) for cell in filled):
        table.hxl_tags = [cell.strip() for cell in first.cells]
        return table
    rest = table.rows

    def replay() -> Iterator[TableRow]:
        yield first
        yield from rest

    table.rows = replay()
    return table


def _damaged(exc: BaseException, row: int | None = None) -> UnreadableFile:
    return UnreadableFile(
        said(
            "The workbook or zip file cannot be read (it may be damaged): %(reason)s",
            {"reason": exc.__class__.__name__},
        ),
        code=ReadErrorCode.BAD_WORKBOOK,
        row=row,
    )


def _no_sheet(name: str, available: list[str]) -> UnreadableFile:
    return UnreadableFile(
        said(
            "There is no sheet or file named “%(name)s”; the file has: %(available)s.",
            {"name": name, "available": ", ".join(available) or "-"},
        ),
        code=ReadErrorCode.NO_SHEET,
    )
