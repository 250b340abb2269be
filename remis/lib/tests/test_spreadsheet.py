from __future__ import annotations

import pytest

from remis.lib.spreadsheet import neutralise, neutralised


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
