from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from remis.lib.spreadsheet import neutralise, neutralised, xlsx_row


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_text_a_spreadsheet_would_run_is_escaped(text: str) -> None:
    assert neutralise(text) == "'" + text


def test_ordinary_values_are_kept() -> None:
    assert neutralised(["Guinée", "<5", "x", 12, -3, 1.5, None, ""]) == [
        "Guinée",
        "<5",
        "x",
        12,
        -3,
        1.5,
        None,
        "",
    ]


@pytest.mark.parametrize("write_only", [True, False])
def test_xlsx_cells_keep_the_text_as_typed_and_never_run_it(write_only: bool) -> None:
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("x") if write_only else book.active
    typed = ['=HYPERLINK("http://x","y")', "+224 620 00 00 00", "-2+3", "@SUM(A1)"]
    sheet.append(xlsx_row(sheet, [*typed, "Guinée", 12, -3, None]))
    out = io.BytesIO()
    book.save(out)
    cells = next(load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows())
    assert [c.value for c in cells] == [*typed, "Guinée", 12, -3]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells[:4])
    assert not cells[4].quotePrefix and cells[5].data_type == "n"
