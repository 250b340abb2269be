"""Return statistics as downloads: the table as shown (CSV, XLSX), and its definition (the
XLSX's second sheet)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _

from remis.reports.statistics import Table


def header(table: Table) -> list[str]:
    if table.columns:
        return [str(table.dimension.label), *(label for _key, label in table.columns), _("Total persons")]
    return [str(table.dimension.label), _("Code"), _("Persons"), _("Cases (households)")]


def body(table: Table) -> list[list[Any]]:
    if table.columns:
        rows = [
            [row.label, *(table.cells.get((row.key, key), 0) for key, _label in table.columns), row.persons]
            for row in table.rows
        ]
        totals = [sum(table.cells.get((r.key, key), 0) for r in table.rows) for key, _label in table.columns]
        return [*rows, [_("Total"), *totals, table.total_persons]]
    return [
        *([row.label, _code(table, row.key), row.persons, row.cases] for row in table.rows),
        [_("Total"), "", table.total_persons, table.total_cases],
    ]


def _code(table: Table, key: str) -> str:
    """Country codes are shown (ISO 3166); other keys are internal ids, not shown."""
    return key if table.dimension.code in ("origin", "host") and key != "?" else ""


def definition(table: Table, filters_text: list[tuple[str, str]]) -> list[tuple[str, str]]:
    as_of = table.as_of.isoformat(timespec="seconds") if table.as_of else ""
    return [*filters_text, (_("Figures as of"), as_of)]


def as_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header(table))
    writer.writerows(body(table))
    return ("\ufeff" + out.getvalue()).encode()  # a BOM: spreadsheet programs then read UTF-8


def as_xlsx(table: Table, filters_text: list[tuple[str, str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Table")[:31])
    sheet.append(header(table))
    for row in body(table):
        sheet.append(row)
    about = book.create_sheet(_("Definition")[:31])
    for name, value in definition(table, filters_text):
        about.append([name, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
