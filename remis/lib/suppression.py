"""Small-cell suppression for figures shown beyond those who read case records.

Primary suppression hides every count from 1 to threshold − 1 (zero is shown: it singles no
one out). Alone, that leaks: a table's total minus the cells shown gives back a hidden cell.
Secondary suppression hides more cells until no hidden cell can be worked out from the
totals shown:

* one dimension (a breakdown with its total): a single hidden cell takes the smallest other
  non-zero cell with it; with no other non-zero cell, the total is hidden instead;
* two dimensions (a cross-table with row, column and grand totals, see `suppress_2d`): a hidden entry can be
  worked out exactly when it is a bridge of the graph whose vertices are the rows and
  columns and whose edges are the hidden cells (every other pattern leaves a cycle along
  which values can be moved without changing any total). Hidden cells are added (the
  smallest non-zero cell of the line first) until every line with a hidden cell has two and
  no hidden cell is a bridge; a line with nothing left to hide has its total hidden.

* tables published together (an edition's tables, see `suppress_linked`): the equations of
  every table at once, entries shared between tables being one unknown; hidden entries are
  added until no small count is determined, decided exactly by linear algebra.

The property tests (remis/lib/tests/test_suppression.py) check, with linear algebra, that no
hidden cell is determined by the totals shown.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

Cell = tuple[Any, Any]  # (row key, column key): any hashable keys


def primary(value: int, threshold: int) -> bool:
    return 0 < value < threshold


@dataclass
class Suppressed1D:
    cells: set[int]
    total: bool  # the total is hidden too


def suppress_1d(values: Sequence[int], threshold: int, total: int | None = None) -> Suppressed1D:
    """Indexes of the values to hide in a breakdown shown with its total (by default their
    sum; a breakdown whose rows overlap gives its own), and whether the total goes too."""
    hidden = {i for i, v in enumerate(values) if primary(v, threshold)}
    whole = sum(values) if total is None else total
    if primary(whole, threshold):
        return Suppressed1D(hidden, True)  # a small total: hidden, and nothing to subtract from
    if total is not None and total != sum(values):
        # Rows that overlap (a person in several): the total only bounds each row, so
        # subtracting gives nothing back; a lone small cell still takes another with it.
        if len(hidden) == 1:
            return _hide_another(values, hidden)
        return Suppressed1D(hidden, False)
    # Hidden cells are known to lie in 1..threshold − 1 ("<5") or from the threshold up
    # ("x"): five "<5" rows under a total of 5 are each 1. Hide more until no small
    # cell is pinned by the total and those bounds (exact for one equation).
    cells = {i: v for i, v in enumerate(values)}
    equation = [Equation(TOTAL, tuple(cells))]
    while len(hidden) == 1 or _pinned({**cells, TOTAL: whole}, equation, hidden, set(), threshold):
        more = _hide_another(values, hidden)
        if more.total:
            return Suppressed1D(hidden, True)  # nothing left to hide: the total goes
        hidden = more.cells
    return Suppressed1D(hidden, False)


def _hide_another(values: Sequence[int], hidden: set[int]) -> Suppressed1D:
    """The hidden cells with the smallest shown non-zero one added; the total instead when
    there is none."""
    others = sorted((v, i) for i, v in enumerate(values) if v > 0 and i not in hidden)
    if others:
        return Suppressed1D(hidden | {others[0][1]}, False)
    return Suppressed1D(set(hidden), True)


TOTAL = "__total__"  # the key of a margin in the extended table


@dataclass
class Suppressed2D:
    cells: set[Cell]
    rows: set[Any] = field(default_factory=set)  # row totals hidden
    columns: set[Any] = field(default_factory=set)  # column totals hidden
    grand: bool = False  # the grand total hidden


def suppress_2d(cells: Mapping[Cell, int], threshold: int) -> Suppressed2D:
    """The cells and totals to hide in a cross-table shown with its row, column and grand
    totals. Cells missing from `cells` are zero.

    The table is extended with its margins (row totals in a total column, column totals in a
    total row, the grand total in their corner): every line of it then adds up to zero with
    its total counted negatively, and a hidden entry (cell or total) can be worked out
    exactly when it is a bridge of the graph of hidden entries over the extended lines."""
    entries: dict[Cell, int] = {cell: v for cell, v in cells.items() if v > 0}
    for (row, column), v in list(entries.items()):
        entries[(row, TOTAL)] = entries.get((row, TOTAL), 0) + v
        entries[(TOTAL, column)] = entries.get((TOTAL, column), 0) + v
        entries[(TOTAL, TOTAL)] = entries.get((TOTAL, TOTAL), 0) + v
    # Small totals are small counts too.
    hidden = {entry for entry, v in entries.items() if primary(v, threshold)}
    rows: dict[Hashable, list[Cell]] = {}
    columns: dict[Hashable, list[Cell]] = {}
    for entry in entries:
        rows.setdefault(entry[0], []).append(entry)
        columns.setdefault(entry[1], []).append(entry)

    def hide_smallest(line: list[Cell]) -> bool:
        candidates = sorted((c for c in line if c not in hidden), key=lambda c: (entries[c], str(c)))
        if not candidates:
            return False
        hidden.add(candidates[0])
        return True

    equations = [
        *(Equation((r, TOTAL), tuple(e for e in line if e[1] != TOTAL)) for r, line in rows.items()),
        *(Equation((TOTAL, c), tuple(e for e in line if e[0] != TOTAL)) for c, line in columns.items()),
    ]
    while True:
        lonely = [
            line
            for lines in (rows, columns)
            for line in lines.values()
            if sum(1 for c in line if c in hidden) == 1
        ]
        if lonely:
            if not hide_smallest(lonely[0]):  # cannot happen: a line holds its total
                break
            continue
        bridges = _bridges(hidden)
        if bridges:
            row, column = bridges[0]
            if not (
                hide_smallest(rows[row])
                or hide_smallest(columns[column])
                or _join_across(bridges[0], hidden, entries)
            ):
                break
            continue
        # No hidden entry is fixed by the totals alone; with the bounds the markers give
        # ("<5", "x"), a small one may still be: its lines give up another entry.
        pinned = sorted(_pinned(entries, equations, hidden, set(), threshold), key=str)
        if not pinned:
            break
        if not any(hide_smallest(rows[row]) or hide_smallest(columns[column]) for row, column in pinned):
            # Their lines hold nothing more to hide (a grand total bounding totals that
            # are "x"): the smallest entry still shown, wherever it is, goes.
            if not hide_smallest(list(entries)):
                break
    return Suppressed2D(
        cells={c for c in hidden if TOTAL not in c},
        rows={r for r, c in hidden if c == TOTAL and r != TOTAL},
        columns={c for r, c in hidden if r == TOTAL and c != TOTAL},
        grand=(TOTAL, TOTAL) in hidden,
    )


def _join_across(bridge: Cell, hidden: set[Cell], entries: Mapping[Cell, int]) -> bool:
    """Hide the smallest shown non-zero entry joining the two sides of `bridge` (a row or
    column of one side and a line of the other), so that the bridge lies on a cycle. For
    when the bridge's own lines have nothing left to hide (their other entries are zeros,
    which are known). Returns whether one was found."""
    adjacency: dict[Hashable, set[Hashable]] = {}
    for row, column in hidden:
        if (row, column) != bridge:
            adjacency.setdefault(("r", row), set()).add(("c", column))
            adjacency.setdefault(("c", column), set()).add(("r", row))

    def side(start: Hashable) -> set[Hashable]:
        seen, todo = {start}, [start]
        while todo:
            for nxt in adjacency.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    one, other = side(("r", bridge[0])), side(("c", bridge[1]))
    joining = sorted(
        (
            entry
            for entry in entries
            if entry not in hidden
            and (
                (("r", entry[0]) in one and ("c", entry[1]) in other)
                or (("r", entry[0]) in other and ("c", entry[1]) in one)
            )
        ),
        key=lambda entry: (entries[entry], str(entry)),
    )
    if not joining:
        return False
    hidden.add(joining[0])
    return True


def _bridges(hidden: set[Cell]) -> list[Cell]:
    """Hidden entries that are bridges of the bipartite graph (lines as vertices, hidden
    entries as edges), found by Tarjan's depth-first search."""
    adjacency: dict[Hashable, list[tuple[Hashable, int]]] = {}
    edges = sorted(hidden, key=str)
    for index, (row, column) in enumerate(edges):
        a, b = ("r", row), ("c", column)
        adjacency.setdefault(a, []).append((b, index))
        adjacency.setdefault(b, []).append((a, index))
    order: dict[Hashable, int] = {}
    low: dict[Hashable, int] = {}
    bridges: list[Cell] = []
    counter = 0
    for start in adjacency:
        if start in order:
            continue
        stack: list[tuple[Hashable, int, int]] = [(start, -1, 0)]
        order[start] = low[start] = counter
        counter += 1
        while stack:
            node, via, position = stack[-1]
            neighbours = adjacency[node]
            if position < len(neighbours):
                stack[-1] = (node, via, position + 1)
                nxt, edge = neighbours[position]
                if edge == via:  # only the edge we came by; a parallel edge is a cycle
                    continue
                if nxt in order:
                    low[node] = min(low[node], order[nxt])
                else:
                    order[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append((nxt, edge, 0))
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        bridges.append(edges[via])
    return bridges


# ---- tables published together --------------------------------------------------------------


@dataclass(frozen=True)
class Equation:
    """A breakdown adding up to its total: total = sum(parts). The entries are variables
    named by the caller; an entry that several tables print (a region's row in one table,
    the total of that region's countries in another) is one variable in all of them."""

    total: Hashable
    parts: tuple[Hashable, ...]

    def entries(self) -> tuple[Hashable, ...]:
        return (self.total, *self.parts)


def suppress_linked(
    values: Mapping[Hashable, int],
    equations: Sequence[Equation],
    shown: set[Hashable],
    threshold: int,
) -> set[Hashable]:
    """The entries to hide, among those `shown`, when several breakdowns are published
    together (an edition's tables): afterwards no small count — printed or not, such as a
    row beyond a top 10 — can be worked out exactly from the entries left, over all the
    equations at once. A table's own rule is not enough when tables share a margin: a
    total hidden in one and printed in another gives its hidden cells back.

    Small counts are hidden; then, as long as the equations fix a small unknown, the
    smallest printed non-zero entry of an equation holding it is hidden too (zeros are
    known anyway). Whether a value is fixed is decided exactly (`_fixed`), not by a rule of
    thumb, so the answer holds for any way the tables are linked."""
    hidden = {entry for entry in shown if primary(values[entry], threshold)}
    holding: dict[Hashable, list[Equation]] = {}
    for equation in equations:
        for entry in equation.entries():
            holding.setdefault(entry, []).append(equation)
    while True:
        unknown = (set(values) - shown) | hidden
        derived = {
            e: how for e, how in _derivations(unknown, equations).items() if primary(values[e], threshold)
        }
        fixed = sorted(
            set(derived) | _pinned(values, equations, hidden, set(values) - shown, threshold), key=str
        )
        if not fixed:
            return _without_determined(hidden, values, equations, shown, threshold)
        added = False
        for entry in fixed:
            # Hide what the reader's derivation reads (its smallest figure), not merely a
            # figure beside the entry: a figure off that path would leave it worked out.
            read = _printed_in(derived[entry], equations, unknown) if entry in derived else set()
            candidates = [
                (values[e], str(e), e) for e in read if e in shown and e not in hidden and values[e] > 0
            ]
            # Not a figure that another printed figure repeats (a total printed again as a
            # region's row): hidden, it would be read off there, and the derivation stand.
            candidates = [
                c
                for c in candidates
                if not any(
                    all(o == c[2] or (o in shown and o not in hidden) for o in eq.entries())
                    for eq in holding.get(c[2], [])
                    if len(eq.parts) == 1
                )
            ] or candidates
            if not candidates:  # pinned by bounds: the nearest printed figures, ring by ring
                candidates = _nearest(
                    entry, holding, lambda e: e in shown and e not in hidden and values[e] > 0, values
                )
            if candidates:
                hidden.add(min(candidates)[2])
                added = True
        if not added:  # everything printed is hidden or zero: only zeros can still be fixed
            return _without_determined(hidden, values, equations, shown, threshold)


def _nearest(
    entry: Hashable,
    holding: Mapping[Hashable, list[Equation]],
    printed: Any,
    values: Mapping[Hashable, int],
) -> list[tuple[int, str, Hashable]]:
    """The printed figures closest to `entry` through the equations: those sharing an
    equation with it, else with an entry of those, and so on (a count pinned by its
    bounds is pinned by figures near it, not by the smallest figure of the report)."""
    seen, ring = {entry}, [entry]
    while ring:
        around = {e for near in ring for equation in holding.get(near, []) for e in equation.entries()} - seen
        found = [(values[e], str(e), e) for e in around if printed(e)]
        if found:
            return found
        seen |= around
        ring = list(around)
    return []


def _without_determined(
    hidden: set[Hashable],
    values: Mapping[Hashable, int],
    equations: Sequence[Equation],
    shown: set[Hashable],
    threshold: int,
) -> set[Hashable]:
    """The hidden entries less those hidden with a small count that the entries printed
    determine anyway (a total hidden in one table and printed as a row of another, the one
    country of a year): printing them tells nothing more, while an "x" where another table
    prints the same figure only puzzles the reader. Small counts stay hidden."""
    determined = _fixed((set(values) - shown) | hidden, equations)
    return {e for e in hidden if primary(values[e], threshold) or e not in determined}


UNBOUNDED = 10**15  # "from the threshold up": larger than any count, and summable


def suppress_paired(
    persons: Sequence[int], cases: Sequence[int], threshold: int, total_persons: int, total_cases: int
) -> tuple[Suppressed1D, Suppressed1D]:
    """A breakdown of persons and of cases (households) side by side: each suppressed as a
    breakdown of its own, then more cells hidden while a small count is pinned by the two
    totals, the markers' bounds and what every reader knows of a row: it holds at least as
    many persons as cases (a row's "x" persons at least its 15 cases left a "<5" at 1)."""
    kept = (suppress_1d(persons, threshold, total_persons), suppress_1d(cases, threshold, total_cases))
    if total_persons != sum(persons) or total_cases != sum(cases):
        return kept  # rows that overlap: a total only bounds each row
    vectors = {"p": persons, "c": cases}
    values: dict[Any, int] = {("p", TOTAL): total_persons, ("c", TOTAL): total_cases}
    for measure, vector in vectors.items():
        values.update({(measure, i): v for i, v in enumerate(vector)})
    equations = [Equation((m, TOTAL), tuple((m, i) for i in range(len(v)))) for m, v in vectors.items()]
    pairs = [(("c", i), ("p", i)) for i in range(min(len(persons), len(cases)))]
    result = {"p": kept[0], "c": kept[1]}
    for _round in range(len(persons) + len(cases) + 2):
        hidden: set[Any] = {(m, i) for m, r in result.items() for i in r.cells}
        hidden |= {(m, TOTAL) for m, r in result.items() if r.total}
        pinned = _pinned(values, equations, hidden, set(), threshold, at_most=pairs)
        open_measures = [m for m in ("p", "c") if not result[m].total and any(e[0] == m for e in pinned)]
        if not open_measures:
            # Pinned through the other measure only, or nothing pinned: hide in the measure
            # whose total still shows, else stop (both totals hidden pin nothing).
            open_measures = [m for m in ("p", "c") if not result[m].total] if pinned else []
        if not open_measures:
            break
        measure = open_measures[0]
        more = _hide_another(vectors[measure], result[measure].cells)
        result[measure] = Suppressed1D(result[measure].cells, True) if more.total else more
    return result["p"], result["c"]


def _pinned(
    values: Mapping[Any, int],
    equations: Sequence[Equation],
    hidden: set[Any],
    unprinted: set[Any],
    threshold: int,
    at_most: Sequence[tuple[Any, Any]] = (),
) -> set[Any]:
    """The small counts, hidden or not printed, whose value the equations and the bounds a
    reader knows pin to one value: a hidden small count lies in 1..threshold − 1 ("<5"), a
    hidden larger one from the threshold up ("x"), an unprinted one from 0 up, a printed one
    is its value, an entry absent from `values` is zero. The bounds are narrowed equation by
    equation until they hold still (bounds propagation): exact for one equation, and what
    it pins in several is pinned indeed; `_fixed` covers what the equalities alone fix."""
    low: dict[Hashable, int] = {}
    high: dict[Hashable, int] = {}

    def bound(entry: Hashable) -> None:
        if entry in low:
            return
        value = values.get(entry, 0)
        if entry in hidden:
            small = primary(value, threshold)
            low[entry], high[entry] = (1, threshold - 1) if small else (threshold, UNBOUNDED)
        elif entry in unprinted:
            low[entry], high[entry] = 0, UNBOUNDED
        else:
            low[entry] = high[entry] = value

    # Only the equations that hold: the rows of a many-valued breakdown (a case under each
    # assistance type it received) add up to more than its total, and bounds drawn from such
    # an equation contradict each other and grow without end.
    consistent = [
        equation
        for equation in equations
        if values.get(equation.total, 0) == sum(values.get(p, 0) for p in equation.parts)
    ]
    for equation in consistent:
        for entry in equation.entries():
            bound(entry)
    for pair in at_most:
        for entry in pair:
            bound(entry)
    for _round in range(100):  # each round narrows a bound or stops; tables settle in a few
        narrowed = False
        for equation in consistent:
            parts_low = sum(low[p] for p in equation.parts)
            parts_high = sum(high[p] for p in equation.parts)
            total = equation.total
            new_low, new_high = max(low[total], parts_low), min(high[total], parts_high)
            if (new_low, new_high) != (low[total], high[total]):
                low[total], high[total], narrowed = new_low, new_high, True
            for part in equation.parts:
                part_low = max(low[part], low[total] - (parts_high - high[part]))
                part_high = min(high[part], high[total] - (parts_low - low[part]))
                if (part_low, part_high) != (low[part], high[part]):
                    parts_low += part_low - low[part]
                    parts_high += part_high - high[part]
                    low[part], high[part], narrowed = part_low, part_high, True
        for smaller, larger in at_most:  # smaller <= larger (a row's cases and its persons)
            if low[larger] < low[smaller]:
                low[larger], narrowed = low[smaller], True
            if high[smaller] > high[larger]:
                high[smaller], narrowed = high[larger], True
        if not narrowed:
            break
    return {
        entry
        for entry in low
        if (entry in hidden or entry in unprinted)
        and primary(values.get(entry, 0), threshold)
        and low[entry] == high[entry]
    }


def _fixed(unknown: set[Hashable], equations: Sequence[Equation]) -> set[Hashable]:
    """The unknowns whose value the equations determine (the printed entries are known)."""
    return set(_derivations(unknown, equations))


def _derivations(
    unknown: set[Hashable], equations: Sequence[Equation]
) -> dict[Hashable, dict[int, Fraction]]:
    """For each unknown the equations determine, how: the weights of the equations whose
    sum leaves it alone among the unknowns. An unknown is determined exactly when its unit
    vector lies in the row space of the equations restricted to the unknowns, that is when,
    in the reduced row echelon form, it is a pivot whose row holds nothing else. Exact
    arithmetic (fractions), sparse rows; each row carries the equations it was made of."""
    pivots: dict[Hashable, tuple[dict[Hashable, Fraction], dict[int, Fraction]]] = {}
    for index, equation in enumerate(equations):
        row: dict[Hashable, Fraction] = {}
        for entry, sign in ((equation.total, -1), *((p, 1) for p in equation.parts)):
            if entry in unknown:
                row[entry] = row.get(entry, Fraction(0)) + sign
        made_of = {index: Fraction(1)}
        for entry in [e for e in row if e in pivots]:
            factor = row.get(entry, Fraction(0))
            if factor:
                _subtract(row, pivots[entry][0], factor)
                _subtract(made_of, pivots[entry][1], factor)
        row = {e: v for e, v in row.items() if v}
        if not row:
            continue
        pivot = min(row, key=str)
        scale = row[pivot]
        row = {e: v / scale for e, v in row.items()}
        made_of = {e: v / scale for e, v in made_of.items()}
        for other, other_made_of in pivots.values():  # keep the form fully reduced
            coefficient = other.get(pivot)
            if coefficient:
                _subtract(other, row, coefficient)
                _subtract(other_made_of, made_of, coefficient)
        pivots[pivot] = (row, made_of)
    return {pivot: made_of for pivot, (row, made_of) in pivots.items() if len(row) == 1}


def _printed_in(
    made_of: Mapping[int, Fraction], equations: Sequence[Equation], unknown: set[Hashable]
) -> set[Hashable]:
    """The printed entries a derivation reads: those left with a weight once the equations
    it sums are added up (an entry in two of them may cancel out)."""
    weights: dict[Hashable, Fraction] = {}
    for index, factor in made_of.items():
        equation = equations[index]
        for entry, sign in ((equation.total, -1), *((p, 1) for p in equation.parts)):
            if entry not in unknown:
                weights[entry] = weights.get(entry, Fraction(0)) + factor * sign
    return {entry for entry, weight in weights.items() if weight}


def _subtract(row: dict[Any, Fraction], other: Mapping[Any, Fraction], factor: Fraction) -> None:
    for entry, value in other.items():
        left = row.get(entry, Fraction(0)) - factor * value
        if left:
            row[entry] = left
        else:
            row.pop(entry, None)
