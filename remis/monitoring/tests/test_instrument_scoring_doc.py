"""The worked example of docs/scoring.md, recomputed: the answers and every number are read
from the page, so the page cannot drift from what `score()` does."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from remis.monitoring.instruments.definition import load_definition
from remis.monitoring.instruments.scoring import score, validate_answers

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
EXAMPLE = DOC[DOC.index("## Worked example") :]
DEFINITION = load_definition(
    yaml.safe_load(
        (ROOT / "remis/monitoring/defaults/reintegration_sustainability.yaml").read_text(encoding="utf-8")
    )
)


def table_rows(section: str) -> dict[str, list[str]]:
    """The rows of the first table after the bold `section` title, by first cell."""
    text = EXAMPLE[EXAMPLE.index(f"**{section}**") :]
    rows: dict[str, list[str]] = {}
    for line in text.splitlines()[2:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0] not in ("---", section.split()[0].lower()):
            rows[cells[0]] = cells
    return rows


def example_answers() -> dict[str, Any]:
    block = re.search(r"```yaml\n(.*?)```", EXAMPLE, re.DOTALL)
    assert block is not None
    return yaml.safe_load(block.group(1))


def test_worked_example_answers_are_valid():
    assert validate_answers(DEFINITION, example_answers()) == []


def test_worked_example_indicator_values_are_what_score_gives():
    scores = score(DEFINITION, example_answers())
    rows = table_rows("Indicator values")
    assert set(rows) == set(scores.indicators)
    for code, cells in rows.items():
        expected = None if cells[-1] == "unanswered" else float(cells[-1])
        assert scores.indicators[code] == expected, code
        indicator = next(i for i in DEFINITION.indicators if i.code == code)
        assert (cells[1], float(cells[2])) == (indicator.dimension, float(indicator.weight)), code


def test_worked_example_dimension_scores_composite_and_band_are_what_score_gives():
    scores = score(DEFINITION, example_answers())
    rows = table_rows("Dimension scores")
    assert {code: float(cells[-1]) for code, cells in rows.items()} == scores.dimensions
    match = re.search(r"composite score: \*\*([0-9.]+)\*\*, band: \*\*([a-z -]+)\*\*", EXAMPLE)
    assert match is not None
    assert float(match.group(1)) == scores.composite
    assert match.group(2).replace(" ", "_") == scores.band
