"""The template of an entity's file, for the people who fill it: CSV (the header and an
example row) or XLSX (the same, and a sheet describing each column with its allowed codes)."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from remis.interop.importing import Column, Entity, escape_formula
from remis.lib.spreadsheet import in_reading_direction


def example(column: Column, chosen: dict[str, str]) -> str:
    """The column's example, or its first allowed code when the example is not one here
    (the programmes and categories of this deployment): the example row must import.
    `chosen`: the entity's example values for the reader, which win."""
    if column.name in chosen:
        return chosen[column.name]
    if column.codes is None or not column.example:
        return column.example
    codes = list(column.codes())
    return column.example if column.example in codes or not codes else codes[0]


def _examples(entity: Entity, actor: Any) -> list[str]:
    chosen = entity.example_values(actor) if entity.example_values else {}
    return [escape_formula(example(c, chosen)) for c in entity.columns]


def template_csv(entity: Entity, actor: Any) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in entity.columns])
    writer.writerow(_examples(entity, actor))
    return ("\ufeff" + out.getvalue()).encode()  # Excel opens UTF-8 text right with its mark


def template_xlsx(entity: Entity, actor: Any, *, labels: dict[str, str]) -> bytes:
    """`labels`: the column headings of the description sheet, in the reader's language."""
    book = Workbook()
    sheet = in_reading_direction(book.active)
    assert sheet is not None
    sheet.title = entity.code
    sheet.append([c.name for c in entity.columns])
    sheet.append(_examples(entity, actor))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    # Text cells, so that codes such as "0042" and dates typed by hand stay as written.
    for column in sheet.iter_cols(min_row=2, max_row=2):
        for cell in column:
            cell.number_format = "@"
    about = in_reading_direction(book.create_sheet(labels["sheet"]))
    about.append([labels["column"], labels["label"], labels["required"], labels["codes"], labels["help"]])
    for cell in about[1]:
        cell.font = Font(bold=True)
    for c in entity.columns:
        codes = ", ".join(c.codes()) if c.codes else ""
        about.append(
            [
                c.name,
                str(c.label),
                labels["yes"] if c.required else "",
                escape_formula(codes),
                c.how_to_fill(),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
