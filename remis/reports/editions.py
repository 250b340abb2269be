"""Tables published together (the annual report, a report package): in the public edition
their small counts are hidden over all of them at once, so that no table gives back what
another hides. Each table's entries are unknowns of one system of equations (each
breakdown adds up to its total); an entry printed by two tables — the same total, or a
region's row and the total of that region's countries — is one unknown
(`lib/suppression.suppress_linked`)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from remis.lib.suppression import Equation, suppress_linked
from remis.reports.statistics import UNKNOWN, Table, keep_top

MEASURES = ("persons", "cases")
TOTAL = "__total__"
ABSENT = ("absent",)  # a row a table does not have: a count every reader knows is 0

# A figure of the tables published together: a table's row (by key, or TOTAL for its total),
# or a count no table prints, by the name it was given (`Publication.remainder`).
Ref = tuple[Table, str] | str


class Publication:
    """Collect tables (exact, every row: `statistics.exact_breakdown`), say which entries
    are the same count, then `publish` hides for the edition and cuts top-N tables."""

    def __init__(self, edition: str, threshold: int) -> None:
        self.edition, self.threshold = edition, threshold
        self.tables: list[Table] = []
        self.rows_shown: list[bool] = []
        self._parent: dict[Hashable, Hashable] = {}
        self._index: dict[int, int] = {}  # id of a table → its place
        self._unprinted: dict[Hashable, int] = {}  # (name, measure) → a count no table prints
        self._sums: list[tuple[Hashable, tuple[Hashable, ...]]] = []  # whole = sum(parts)

    def add(self, table: Table, rows_shown: bool = True) -> Table:
        """`rows_shown`: False for a table only its totals are printed from."""
        self._index[id(table)] = len(self.tables)
        self.tables.append(table)
        self.rows_shown.append(rows_shown)
        return table

    def same_as_row(self, table: Table, parent: Table, key: str) -> None:
        """`table`'s totals are `parent`'s row `key` (a region and the table of its
        countries). Linked only when the counts agree: two different counts are two
        unknowns."""
        row = next((r for r in parent.rows if r.key == key), None)
        if row is not None and (row.persons, row.cases) == (table.total_persons, table.total_cases):
            for measure in MEASURES:
                self._union(self._entry(table, measure, TOTAL), self._entry(parent, measure, key))

    def adds_up(self, whole: Ref, parts: Sequence[Ref]) -> None:
        """The returns `whole` counts are exactly those `parts` count, without overlap (a
        host region's row and its host countries' rows in another table). A reader who sets
        tables side by side subtracts across them; the hiding must see the same sums.
        Ignored for a measure whose counts do not add up: not a partition after all."""
        for measure in MEASURES:
            if self._value(whole, measure) == sum(self._value(p, measure) for p in parts):
                self._sums.append((self._ref(whole, measure), tuple(self._ref(p, measure) for p in parts)))

    def remainder(self, name: str, whole: Ref, parts: Sequence[Ref]) -> str:
        """Name the count that `whole` holds beyond `parts` — printed in no table, yet a
        reader subtracts it out (a country's three years less its year: its two years
        before) — and say that whole = parts + it, so that a small one stays hidden.
        Returns the name, for sums over such counts (`adds_up`)."""
        for measure in MEASURES:
            left = self._value(whole, measure) - sum(self._value(p, measure) for p in parts)
            self._unprinted[(name, measure)] = max(left, 0)
        self.adds_up(whole, [*parts, name])
        return name

    def count(self, name: str, parts: Sequence[Ref]) -> str:
        """Name the sum of `parts`, a count no table prints, for use in `adds_up`."""
        for measure in MEASURES:
            self._unprinted[(name, measure)] = sum(self._value(p, measure) for p in parts)
        self.adds_up(name, parts)
        return name

    def _value(self, ref: Ref, measure: str) -> int:
        if isinstance(ref, str):
            return self._unprinted[(ref, measure)]
        table, key = ref
        if key == TOTAL:
            return int(getattr(table, f"total_{measure}"))
        return next((int(getattr(r, measure)) for r in table.rows if r.key == key), 0)

    def _ref(self, ref: Ref, measure: str) -> Hashable:
        if isinstance(ref, str):
            return (ref, measure)
        table, key = ref
        if key != TOTAL and all(r.key != key for r in table.rows):
            return ABSENT
        return self._entry(table, measure, key)

    def publish(self) -> None:
        # Tables over the same returns (equal filters) have the same totals.
        first_of: dict[Any, Table] = {}
        for table in self.tables:
            other = first_of.setdefault(table.filters, table)
            if other is not table:
                for measure in MEASURES:
                    self._union(self._entry(table, measure, TOTAL), self._entry(other, measure, TOTAL))
        hidden: set[Hashable] = set()
        if self.threshold:
            values: dict[Hashable, int] = {}
            shown: set[Hashable] = set()
            equations: list[Equation] = []
            for table, rows_shown in zip(self.tables, self.rows_shown, strict=True):
                printed = {r.key for r in table.rows}
                if table.top:  # the rows cut still count in the total: unknowns, not printed
                    printed = {r.key for r in _top_rows(table)}
                for measure in MEASURES:
                    total = self._find(self._entry(table, measure, TOTAL))
                    values[total] = getattr(table, f"total_{measure}")
                    shown.add(total)
                    parts = []
                    for row in table.rows:
                        entry = self._find(self._entry(table, measure, row.key))
                        values[entry] = getattr(row, measure)
                        parts.append(entry)
                        if rows_shown and row.key in printed:
                            shown.add(entry)
                    # Many-valued breakdowns (assistance types) and case counts by a
                    # person's attribute overlap, so this equation may not hold exactly:
                    # it can only make more be hidden.
                    equations.append(Equation(total, tuple(parts)))
            values.update({self._find(e): v for e, v in self._unprinted.items()})
            for whole, summed in self._sums:
                equations.append(Equation(self._find(whole), tuple(self._find(p) for p in summed)))
            hidden = suppress_linked(values, equations, shown, self.threshold)
        for table in self.tables:
            table.edition, table.threshold = self.edition, self.threshold
            for measure in MEASURES:
                if self._find(self._entry(table, measure, TOTAL)) in hidden:
                    table.hidden_totals.add(measure)
                table.hidden |= {
                    (row.key, measure)
                    for row in table.rows
                    if self._find(self._entry(table, measure, row.key)) in hidden
                }
            keep_top(table)

    def _entry(self, table: Table, measure: str, key: str) -> Hashable:
        return (self._index[id(table)], measure, key)

    def _find(self, entry: Hashable) -> Hashable:
        while self._parent.get(entry, entry) != entry:
            entry = self._parent[entry]
        return entry

    def _union(self, one: Hashable, other: Hashable) -> None:
        a, b = self._find(one), self._find(other)
        if a != b:
            self._parent[b] = a


def _top_rows(table: Table) -> list[Any]:
    return [r for r in table.rows if r.key != UNKNOWN][: table.top]
