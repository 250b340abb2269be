"""Suppression cannot be undone from the totals shown: checked by linear algebra (a hidden
value is determined exactly when its unit vector lies in the row space of the equations the
shown totals and cells give), over random tables."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from remis.lib.suppression import TOTAL, primary, suppress_1d, suppress_2d

THRESHOLD = 5
tables = st.integers(1, 5).flatmap(
    lambda rows: st.integers(1, 5).flatmap(
        lambda columns: st.lists(
            st.lists(st.integers(0, 14), min_size=columns, max_size=columns), min_size=rows, max_size=rows
        )
    )
)


def _determined(grid: list[list[int]], hidden: set[tuple[Any, Any]]) -> set[tuple[Any, Any]]:
    """The hidden entries of the extended table (margins included) that the equations fix."""
    rows, columns = range(len(grid)), range(len(grid[0]))
    unknowns = sorted(hidden, key=str)
    index = {entry: i for i, entry in enumerate(unknowns)}
    equations: list[list[tuple[tuple[Any, Any], int]]] = []
    lines: list[Any] = [*rows, TOTAL]
    for r in lines:  # each row adds up to its total (the total row to the grand total)
        line: list[tuple[Any, Any]] = [(r, c) for c in columns]
        equations.append([(e, 1) for e in line] + [((r, TOTAL), -1)])
    for c in [*columns, TOTAL]:
        line = [(r, c) for r in rows] if c != TOTAL else [(r, TOTAL) for r in rows]
        equations.append([(e, 1) for e in line] + [((TOTAL, c), -1)])
    matrix = np.zeros((len(equations), len(unknowns)))
    for i, equation in enumerate(equations):
        for entry, sign in equation:
            if entry in index:
                matrix[i, index[entry]] += sign
    rank = np.linalg.matrix_rank(matrix) if len(unknowns) else 0
    fixed: set[tuple[Any, Any]] = set()
    for entry, i in index.items():
        unit = np.zeros((1, len(unknowns)))
        unit[0, i] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            fixed.add(entry)
    return fixed


@settings(max_examples=300, deadline=None)
@given(tables)
# Found by this test in CI: the lone bridge's row and column held only hidden entries and
# zeros, so an entry joining the two sides had to go (a row total of 5 here).
@example([[0, 0, 2, 3], [0, 2, 0, 0], [0, 3, 0, 1]])
def test_no_hidden_entry_of_a_cross_table_can_be_worked_out(grid: list[list[int]]) -> None:
    cells: dict[tuple[Any, Any], int] = {(r, c): v for r, row in enumerate(grid) for c, v in enumerate(row)}
    result = suppress_2d(cells, THRESHOLD)
    # every small count is hidden, totals included
    assert {cell for cell, v in cells.items() if primary(v, THRESHOLD)} <= result.cells
    row_totals = {r: sum(row) for r, row in enumerate(grid)}
    column_totals = {c: sum(row[c] for row in grid) for c in range(len(grid[0]))}
    assert {r for r, v in row_totals.items() if primary(v, THRESHOLD)} <= result.rows
    assert {c for c, v in column_totals.items() if primary(v, THRESHOLD)} <= result.columns
    hidden = set(result.cells)
    hidden |= {(r, TOTAL) for r in result.rows} | {(TOTAL, c) for c in result.columns}
    if result.grand:
        hidden.add((TOTAL, TOTAL))
    # zeros shown are known, so only non-zero entries are hidden
    assert all(cells.get(cell, 1) > 0 for cell in result.cells)
    assert _determined(grid, hidden) == set()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 14), min_size=1, max_size=12))
def test_no_hidden_cell_of_a_breakdown_can_be_worked_out_from_its_total(values: list[int]) -> None:
    result = suppress_1d(values, THRESHOLD)
    assert {i for i, v in enumerate(values) if primary(v, THRESHOLD)} <= result.cells
    if result.total:
        return  # the total hidden too: nothing to subtract from
    assert len(result.cells) != 1  # one hidden cell would be the total minus the others


def test_a_lone_small_cell_takes_the_smallest_other_with_it() -> None:
    assert suppress_1d([40, 3, 12, 0], 5).cells == {1, 2}
    assert suppress_1d([3, 0, 0], 5).total
    assert suppress_1d([2, 1], 5).total  # a small total is itself hidden
    assert suppress_1d([40, 12], 5).cells == set()
