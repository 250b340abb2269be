"""k-anonymity over the quasi-identifiers of a research extract: sex × age group ×
country of origin × where the case was handled (host country and programme) × period of
arrival.

Rows whose combination is shared by fewer than k rows are coarsened step by step — the
month of arrival to its quarter, then to its year, then the age group to a broad band
(0–17, 18–59, 60+), then the host country and programme withheld (written blank) — and a
row still in a group under k is suppressed (left out of the files, and counted). The host
country and the programme go together: a programme names its host country, so writing one
would give the other back. At each step the rows not yet placed are regrouped; a group still
under k takes along whole groups already placed that the coarser step merges with it (two
women of 25–34 from Guinea in January join the six of February as "2024-Q1"), so every
combination written is shared by at least k rows (a value of one step never equals a
value of another, except "60+", the same ages at both, which only makes groups larger).

The host country was once left out of the rule: the only woman returned from Algeria was
one row, with her category, stage and scores, where the public statistics hid that count.

Members of one household share a case pseudonym and their day of arrival: if one member's
month were coarsened and another's kept, the kept one would give the month back. So the
period is written at the same step for every kept member of a case: when a case's members
end at different steps, the finer ones are raised to the coarsest and everything is
grouped again, until nothing moves (steps only rise, so this ends).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

# (period, age, where) at each step; a row kept is written at one of them.
STEPS: tuple[tuple[str, str, str], ...] = (
    ("month", "fine", "kept"),
    ("quarter", "fine", "kept"),
    ("year", "fine", "kept"),
    ("year", "broad", "kept"),
    ("year", "broad", "withheld"),
)
PERIOD_STEP = {"month": 0, "quarter": 1, "year": 2}
BROAD_AGE = {
    "0-4": "0-17",
    "5-11": "0-17",
    "12-17": "0-17",
    "18-24": "18-59",
    "25-34": "18-59",
    "35-49": "18-59",
    "50-59": "18-59",
    "60+": "60+",
}


@dataclass(frozen=True)
class QuasiIdentifiers:
    sex: str
    age_group: str  # "25-34", "60+", or "" when not known
    origin: str
    arrival: dt.date
    household: Hashable  # rows of one case share their arrival: written at one step
    host: str = ""  # the host country, and the programme (it names its host): kept or withheld together
    programme: str = ""


def period(day: dt.date, kind: str) -> str:
    if kind == "month":
        return f"{day.year}-{day.month:02d}"
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


Combination = tuple[str, str, str, str, str, str]


def generalised(row: QuasiIdentifiers, step: int) -> Combination:
    """The combination as written at a step: (sex, age group, origin, host country,
    programme, period); the host country and programme blank when withheld."""
    period_kind, age_kind, where = STEPS[step]
    age = BROAD_AGE.get(row.age_group, row.age_group) if age_kind == "broad" else row.age_group
    host, programme = (row.host, row.programme) if where == "kept" else ("", "")
    return (row.sex, age, row.origin, host, programme, period(row.arrival, period_kind))


@dataclass
class Protection:
    """The step each row is written at (None: suppressed), and the counts the definitions
    report."""

    steps: list[int | None]
    k: int

    @property
    def suppressed(self) -> int:
        return sum(1 for s in self.steps if s is None)

    @property
    def coarsened(self) -> int:
        return sum(1 for s in self.steps if s is not None and s > 0)

    def by_step(self) -> Counter[int | None]:
        return Counter(self.steps)


def _place(rows: Sequence[QuasiIdentifiers], k: int, floor: list[int]) -> list[int | None]:
    """Each row at the first step (not below its floor) where its group, among the rows
    still unplaced, holds k rows or more; None when there is none. A group still under k at
    a step takes with it whole groups already placed that the step merges with it (smallest
    first): every group left behind keeps its k rows, and fewer rows are suppressed."""
    steps: list[int | None] = [None] * len(rows)
    for step in range(len(STEPS)):
        groups: dict[Combination, list[int]] = defaultdict(list)
        for index, row in enumerate(rows):
            if steps[index] is None and floor[index] <= step:
                groups[generalised(row, step)].append(index)
        placed: dict[Combination, dict[Combination, list[int]]] = defaultdict(lambda: defaultdict(list))
        if step and any(len(members) < k for members in groups.values()):
            for index, earlier in enumerate(steps):
                if earlier is not None:
                    placed[generalised(rows[index], step)][generalised(rows[index], earlier)].append(index)
        for key, members in groups.items():
            if len(members) < k:
                nearby = sorted(placed.get(key, {}).values(), key=len)
                if len(members) + sum(len(g) for g in nearby) < k:
                    continue
                for group in nearby:
                    members.extend(group)
                    if len(members) >= k:
                        break
            for index in members:
                steps[index] = step
    return steps


def protect(rows: Sequence[QuasiIdentifiers], k: int) -> Protection:
    """The step of every row so that each combination written is shared by at least k
    rows and a household's period is written at one step (see the module's docstring)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    floor = [0] * len(rows)
    while True:
        steps = _place(rows, k, floor)
        coarsest: dict[Hashable, int] = {}
        for row, step in zip(rows, steps, strict=True):
            if step is not None:
                level = PERIOD_STEP[STEPS[step][0]]
                coarsest[row.household] = max(coarsest.get(row.household, 0), level)
        raised = False
        for index, (row, step) in enumerate(zip(rows, steps, strict=True)):
            if step is None:
                continue
            wanted = coarsest[row.household]
            if PERIOD_STEP[STEPS[step][0]] < wanted and floor[index] < wanted:
                floor[index] = wanted
                raised = True
        if not raised:
            return Protection(steps, k)
