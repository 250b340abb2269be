"""Return statistics as downloads: the table as shown (CSV, XLSX), and its definition (the
XLSX's second sheet)."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from remis.lib.dates import moment_text
from remis.lib.spreadsheet import csv_bytes, in_reading_direction, sheet_title, xlsx_row
from remis.reports.statistics import Table


def header(table: Table) -> list[str]:
    if table.columns:
        return [str(table.dimension.label), *(label for _key, label in table.columns), _("Total persons")]
    if _coded(table):
        return [str(table.dimension.label), _("Code"), _("Persons"), _("Cases (households)")]
    return [str(table.dimension.label), _("Persons"), _("Cases (households)")]


def body(table: Table) -> list[list[Any]]:
    """The rows as shown: counts, or "<threshold" where small cells are hidden."""
    show = table.shown
    if table.columns:
        rows = [
            [
                row.label,
                *(
                    show(table.cells.get((row.key, key), 0), (row.key, key) in table.hidden_cells)
                    for key, _label in table.columns
                ),
                show(row.persons, (row.key, "persons") in table.hidden),
            ]
            for row in table.rows
        ]
        totals = [
            show(
                sum(table.cells.get((r.key, key), 0) for r in table.rows),
                ("column", key) in table.hidden_totals,
            )
            for key, _label in table.columns
        ]
        return [*rows, [_("Total"), *totals, show(table.total_persons, "persons" in table.hidden_totals)]]
    coded = _coded(table)
    return [
        *(
            [
                row.label,
                *([row.key if row.key != "?" else ""] if coded else []),
                show(row.persons, (row.key, "persons") in table.hidden),
                show(row.cases, (row.key, "cases") in table.hidden),
            ]
            for row in table.rows
        ),
        [
            # The top N's total counts the rows left out too (it read as their sum).
            _("Total, with the rows not listed") if table.cut else _("Total"),
            *([""] if coded else []),
            show(table.total_persons, "persons" in table.hidden_totals),
            show(table.total_cases, "cases" in table.hidden_totals),
        ],
    ]


def _coded(table: Table) -> bool:
    """Whether the rows have a code worth a column: countries (ISO 3166) and months
    (2026-01, beside their names in the reader's language). Other keys are internal ids,
    and the column stood empty."""
    return table.dimension.code in ("origin", "host", "month")


def definition(table: Table, filters_text: list[tuple[str, str]]) -> list[tuple[str, str]]:
    rows = [*filters_text, (_("Figures as of"), moment_text(table.as_of))]
    if table.threshold:
        rows.append(
            (
                _("Hidden counts"),
                _(
                    "Counts from 1 to %(last)s are shown as “<%(threshold)s”; “x” marks a larger count "
                    "hidden with them, so that none can be worked out from the totals."
                )
                % {"last": table.threshold - 1, "threshold": table.threshold},
            )
        )
    return rows


def as_csv(table: Table) -> bytes:
    return csv_bytes(header(table), body(table))


def as_xlsx(table: Table, filters_text: list[tuple[str, str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = in_reading_direction(book.create_sheet(_("Table")[:31]))
    sheet.append(xlsx_row(sheet, header(table)))
    for row in body(table):
        sheet.append(xlsx_row(sheet, row))
    about = in_reading_direction(book.create_sheet(_("Definition")[:31]))
    for name, value in definition(table, filters_text):
        about.append(xlsx_row(about, [name, value]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---- the community projects summary ---------------------------------------------------------


def project_header(first: str) -> list[str]:
    return [
        first,
        _("Projects"),
        _("In preparation"),
        _("Ongoing or suspended"),
        _("Completed"),
        _("Returnees"),
        _("Women and girls"),
        _("Men and boys"),
        _("Community members"),
    ]


def project_body(rows: list[Any], codes: bool = False) -> list[list[Any]]:
    return [
        [
            *([row.key] if codes else []),
            row.label,
            row.projects,
            row.preparation,
            row.ongoing,
            row.completed,
            *(row.shown[column] for column in ("returnees", "women", "men", "members")),
        ]
        for row in rows
    ]


def projects_csv(summary: Any) -> bytes:
    """The table by country, with the ISO code of each country first."""
    return csv_bytes([_("Code"), *project_header(_("Country"))], project_body(summary.by_country, codes=True))


def projects_xlsx(summary: Any, filters_text: list[tuple[str, str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, first, rows, codes in (
        (_("By country"), _("Country"), summary.by_country, True),
        (_("By type"), _("Type"), summary.by_type, False),
        (_("By framework"), _("Contributes to"), summary.by_tag, False),
    ):
        sheet = in_reading_direction(book.create_sheet(sheet_title(title)))
        sheet.append(xlsx_row(sheet, [_("Code"), *project_header(first)] if codes else project_header(first)))
        for row in project_body(rows, codes=codes):
            sheet.append(xlsx_row(sheet, row))
    about = in_reading_direction(book.create_sheet(_("Definition")[:31]))
    for name, value in filters_text:
        about.append(xlsx_row(about, [name, value]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
