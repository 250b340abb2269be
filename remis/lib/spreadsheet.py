"""Cells REMIS writes into CSV and XLSX files, safe to open in a spreadsheet program.

A text cell starting with "=", "+", "-" or "@" is read as a formula by Excel, LibreOffice
and Google Sheets (`=HYPERLINK("http://…","click")` becomes a live link, others run
commands through DDE); a leading tab or carriage return is stripped by some of them and
the rest then read as a formula. Names typed by people (a programme, a category, a
provider) reach our exports, so every text cell goes through `neutralise`, which puts an
apostrophe in front: spreadsheets show the text as typed, and a reader of the raw file
sees why (OWASP's advice on CSV injection). Numbers are left alone: a negative number is
a number, not a formula.

XLSX cells are typed, so they need no apostrophe in the value: `xlsx_row` writes such text
as a text cell with Excel's "quote prefix" mark, what Excel records when one types an
apostrophe first. The cell shows the text as typed ("+224 620…", not "'+224 620…"), is
never run, and stays text when someone edits it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import get_language_bidi

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def in_reading_direction(sheet: Any) -> Any:
    """The sheet laid out right to left when the active language is written so (Arabic):
    columns from the right, as Arabic spreadsheets are. Set before the first row: a
    write-only sheet writes its view then."""
    if get_language_bidi():
        sheet.sheet_view.rightToLeft = True
    return sheet


def neutralise(value: Any) -> Any:
    """The value to write: text that a spreadsheet would read as a formula, escaped."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralised(row: Iterable[Any]) -> list[Any]:
    return [neutralise(value) for value in row]


def csv_bytes(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> bytes:
    """A CSV file of `header` and `rows`, every cell neutralised, UTF-8 with a BOM (spreadsheet
    programs then read it as UTF-8: Arabic was garbled without)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(neutralised(header))
    writer.writerows(neutralised(row) for row in rows)
    return ("\ufeff" + out.getvalue()).encode()


class CsvLines:
    """CSV text written a few rows at a time for a streamed download, every cell
    neutralised: `header(row)` is the first text (with a BOM: spreadsheet programs then read
    UTF-8), `rows(rows)` each next one."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)

    def _flush(self) -> str:
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text

    def header(self, row: Iterable[Any]) -> str:
        self._writer.writerow(neutralised(row))
        return "\ufeff" + self._flush()

    def rows(self, rows: Iterable[Iterable[Any]]) -> str:
        self._writer.writerows(neutralised(row) for row in rows)
        return self._flush()


def xlsx_row(sheet: Any, row: Iterable[Any]) -> list[Any]:
    """A row to `append` to an openpyxl sheet (write-only or not), text a spreadsheet would
    read as a formula written as quote-prefixed text (see the module's docstring)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell

    out: list[Any] = []
    for value in row:
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            cell = WriteOnlyCell(sheet, value=value) if sheet.parent.write_only else Cell(sheet, value=value)
            cell.data_type = "s"  # openpyxl makes text starting with "=" a formula
            cell.quotePrefix = True
            out.append(cell)
        else:
            out.append(value)
    return out


def restored(value: str) -> str:
    """A cell read back from a file REMIS wrote: the apostrophe `neutralise` put in front
    is taken off again, so an exported list imports as it was ("'+224 …" is "+224 …").
    An apostrophe before anything else is the value's own and stays."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def xlsx_download(content: bytes, filename: str) -> Any:
    """A workbook handed over as a download (a page's or the API's answer)."""
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def sheet_title(title: str, used: set[str] | None = None) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in the book
    (`used`: the names taken, case-folded; added to). A
    long title first loses its period (", 2024–2026": every sheet's is the package's, and the
    sheet's first row keeps the whole title), then is cut at a word and marked. Cut at 28
    characters, the host and origin tables of a French book were both "Les 10 premiers pays…"."""
    cleaned = " ".join("".join(" " if ch in "[]:*?/\\" else ch for ch in title).split())
    if len(cleaned) > 31:
        head, comma, tail = max((cleaned.rpartition(sep) for sep in (", ", "، ")), key=lambda p: len(p[0]))
        if comma and any(ch.isdigit() for ch in tail):
            cleaned = head
    if len(cleaned) > 31:  # cut at a word, marked: "Top 10 host countries, 2024–s" read as a word
        # The last whole word within 30 characters (one ending at the 30th is whole).
        cut = cleaned[:31].rsplit(" ", 1)[0] if " " in cleaned[:31] else cleaned[:30]
        if cut.count("(") > cut.count(")") and cut.rfind("(") > 0:
            # "بيانات المتابعة (الصيغة الطويلة" opened a bracket the name never closed: the
            # bracketed words go whole (the sheet's own heading keeps them).
            cleaned = cut[: cut.rfind("(")].rstrip(" ,;،–-")
        else:
            cleaned = cut.rstrip(" ,;،–-") + "…"
    cleaned = cleaned or "Table"
    used = set() if used is None else used
    name, n = cleaned, 2
    while name.casefold() in used:  # Excel tells sheet names apart whatever their case
        suffix = f" ({n})"
        name = cleaned[: 31 - len(suffix)].rstrip() + suffix
        n += 1
    used.add(name.casefold())
    return name
