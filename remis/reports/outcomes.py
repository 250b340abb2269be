"""Outcome analytics: reintegration sustainability scores at each monitoring round, for the
returnees of a period (a cohort: a return counts in the period of its arrival), optionally by
a group (assistance received, sex, age group, country of origin…), with the attrition of each
round beside them and the comparison samples (non-assisted returnees, local residents: the
responses with no case) surveyed over the same months.

Scores are in [0, 1] as stored; a case's group is its principal applicant's (sex, age) or the
case's own (origin, assistance types: a case counts in each type it received). Attrition: of
the rounds whose window has closed, those done, lost to follow-up and missed (no visit within
the window); the response rate is done ÷ (done + lost + missed). Returnees who are lost or
missed are not a random part of the cohort (those who re-migrated or did worst are harder to
reach), so the means of a round with high attrition likely overstate reintegration.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from remis.reports import analytics
from remis.reports.statistics import (
    CONFIDENTIAL_ONLY,
    DIMENSIONS,
    UNKNOWN,
    Filters,
    alphabetical,
    cohort_where,
    dimension_for,
    join_of,
    labeller,
    masked_key,
    may_read_confidential,
    threshold_for,
)

REINTEGRATION = "reintegration-sustainability"
REMIGRATE_QUESTION = "wish_to_migrate_again"
SATISFACTION = "assistance-satisfaction"
MEASURES = ("economic", "social", "psychosocial", "composite")


@dataclass
class OutcomeRow:
    key: str  # the group's key ("" without groups)
    label: str
    round: int | None  # None: the comparison samples
    responses: int
    means: dict[str, float | None]  # per measure, 0–1
    median: float | None  # of the composite score
    bands: dict[str, int]  # responses per score band
    hidden: bool = False  # fewer responses than the small-cell threshold: nothing shown
    band_list: list[int] = field(default_factory=list)  # `bands` in the instrument's order; -1 hidden
    # Intention to re-migrate: answers "yes" to wish_to_migrate_again, of those answering it.
    remigrate_yes: int = 0
    remigrate_asked: int = 0
    # Measures read "Restricted" in this row: they score questions of a sensitive group the
    # reader does not hold, and the row has too few responses for a mean to hide a person
    # (`_restrict`).
    restricted: frozenset[str] = frozenset()

    @property
    def measure_cells(self) -> list[tuple[float | None, bool]]:
        """The four means and the median, each with whether it reads "Restricted"."""
        cells = [(self.means.get(m), m in self.restricted) for m in MEASURES]
        return [*cells, (self.median, "median" in self.restricted)]

    @property
    def remigrate_share(self) -> float | None:
        return self.remigrate_yes / self.remigrate_asked if self.remigrate_asked else None


@dataclass
class SatisfactionRow:
    """Satisfaction responses about the assistance items of one type (service type)."""

    key: str  # the assistance type's id
    label: str
    responses: int
    mean: float | None  # the satisfaction score, 0–1
    satisfied: int  # responses in the top band
    hidden: bool = False

    @property
    def satisfied_share(self) -> float | None:
        """None when hidden (the satisfied, or the others, are a small count)."""
        if self.satisfied < 0 or not self.responses:
            return None
        return self.satisfied / self.responses


@dataclass
class AttritionRow:
    key: str
    label: str
    round: int
    done: int
    lost: int
    missed: int
    open: int  # window not closed yet
    stopped: int  # the case was closed

    @property
    def rate(self) -> float | None:
        if min(self.done, self.lost, self.missed) < 0:  # a count hidden: no rate either
            return None
        closed = self.done + self.lost + self.missed
        return self.done / closed if closed else None


@dataclass
class Outcomes:
    filters: Filters
    group: str  # a dimension code, or ""
    rows: list[OutcomeRow]
    attrition: list[AttritionRow]
    comparison: OutcomeRow | None
    bands: list[tuple[str, str]]  # (code, label) in order
    threshold: int
    as_of: Any = None
    group_label: str = ""
    samples_from: dt.date | None = None
    samples_to: dt.date | None = None
    notes: list[str] = field(default_factory=list)
    satisfaction: list[SatisfactionRow] = field(default_factory=list)
    reader: Any = None  # who the figures are for (`_restrict`)


def _bands() -> list[tuple[str, str]]:
    from django.utils.translation import get_language

    from remis.monitoring.responses import current_instrument, definition_of

    instrument = current_instrument(REINTEGRATION)
    if instrument is None:
        return []
    language = (get_language() or "en")[:2]
    return [(band.code, band.label.get(language)) for band in definition_of(instrument).bands]


def outcomes(actor: Any, filters: Filters, group: str = "") -> Outcomes | None:
    """None when the actor counts nothing, or asks a breakdown that is for readers of case
    records only (by vulnerability) without being one."""
    if group in CONFIDENTIAL_ONLY and not may_read_confidential(actor):
        return None
    where = cohort_where(actor, filters)
    if where is None:
        return None
    condition, params = where
    dimension = dimension_for(actor, group) if group in DIMENSIONS else None
    key = f"COALESCE({dimension.key}, '{UNKNOWN}')" if dimension else "''"
    join = join_of(dimension) if dimension else ""
    # One row per case: its principal applicant (the person whose sex and age group it is).
    cohort = f"SELECT * FROM persons p WHERE {condition} AND p.principal"  # noqa: S608
    today = timezone.localdate()
    with analytics.locked():
        store = analytics.fresh()
        scores = store.query(
            f"WITH p AS MATERIALIZED ({cohort}) "  # noqa: S608
            f"SELECT {key} AS k, r.round, count(*), avg(r.economic), avg(r.social), avg(r.psychosocial), "
            "avg(r.composite), median(r.composite), min(r.collected_on), max(r.collected_on), "
            "count(*) FILTER (WHERE r.migrate_again = 'yes'), "
            "count(*) FILTER (WHERE r.migrate_again IN ('yes', 'no')) "
            f"FROM p {join} JOIN responses r ON r.case_id = p.case_id "
            "WHERE r.instrument = ? AND r.round IS NOT NULL GROUP BY k, r.round",
            [*params, REINTEGRATION],
        )
        bands = store.query(
            f"WITH p AS MATERIALIZED ({cohort}) "  # noqa: S608
            f"SELECT {key} AS k, r.round, r.band, count(*) FROM p {join} "
            "JOIN responses r ON r.case_id = p.case_id "
            "WHERE r.instrument = ? AND r.round IS NOT NULL GROUP BY k, r.round, r.band",
            [*params, REINTEGRATION],
        )
        rounds = store.query(
            f"WITH p AS MATERIALIZED ({cohort}) "  # noqa: S608
            f"SELECT {key} AS k, f.round, "
            # Of the rounds whose window has closed, as the table says: a round done while its
            # window is still open counted at once, one lost or missed only after it closed,
            # which pushed the response rate up.
            "count(*) FILTER (WHERE f.status = 'done' AND f.window_end < ?), "
            "count(*) FILTER (WHERE f.status = 'lost' AND f.window_end < ?), "
            "count(*) FILTER (WHERE f.status = 'scheduled' AND f.window_end < ?), "
            "count(*) FILTER (WHERE f.status <> 'stopped' AND f.window_end >= ?), "
            "count(*) FILTER (WHERE f.status = 'stopped') "
            f"FROM p {join} JOIN rounds f ON f.case_id = p.case_id GROUP BY k, f.round",
            [*params, today, today, today, today],
        )
        first = min((row[8] for row in scores if row[8]), default=None)
        last = max((row[9] for row in scores if row[9]), default=None)
        comparison = None
        if first and last:
            found = store.query(
                "SELECT count(*), avg(economic), avg(social), avg(psychosocial), avg(composite), "
                "median(composite) FROM responses WHERE case_id IS NULL AND instrument = ? "
                "AND collected_on BETWEEN ? AND ?",
                [REINTEGRATION, first, last],
            )[0]
            sample_bands = store.query(
                "SELECT band, count(*) FROM responses WHERE case_id IS NULL AND instrument = ? "
                "AND collected_on BETWEEN ? AND ? GROUP BY band",
                [REINTEGRATION, first, last],
            )
            if found[0]:
                comparison = OutcomeRow(
                    "",
                    "",
                    None,
                    int(found[0]),
                    dict(zip(MEASURES, (_f(v) for v in found[1:5]), strict=True)),
                    _f(found[5]),
                    {str(b): int(n) for b, n in sample_bands},
                )
        # A type of a sensitive group the reader does not hold is named nowhere else: its
        # responses count under "Restricted" here too.
        kind = masked_key(actor, "assistance", "i.kind_id") or "i.kind_id"
        satisfaction = store.query(
            f"WITH p AS MATERIALIZED ({cohort}) "  # noqa: S608
            f"SELECT {kind} AS kind, count(*), avg(r.composite), "
            "count(*) FILTER (WHERE r.band = 'satisfied') "
            "FROM p JOIN responses r ON r.case_id = p.case_id "
            "LEFT JOIN (SELECT DISTINCT item_key, kind_id FROM items) i ON i.item_key = r.item_key "
            "WHERE r.instrument = ? GROUP BY 1",
            [*params, SATISFACTION],
        )
        as_of = store.caught_up_at
    labels = labeller(group) if group else (lambda _key: "")
    kinds = labeller("assistance")
    by_cell: dict[tuple[str, int], dict[str, int]] = {}
    for k, rnd, band, n in bands:
        by_cell.setdefault((str(k), int(rnd)), {})[str(band)] = int(n)
    rows = [
        OutcomeRow(
            str(k),
            labels(str(k)),
            int(rnd),
            int(n),
            dict(zip(MEASURES, (_f(v) for v in (e, s, p, c)), strict=True)),
            _f(med),
            by_cell.get((str(k), int(rnd)), {}),
            remigrate_yes=int(yes),
            remigrate_asked=int(asked),
        )
        for k, rnd, n, e, s, p, c, med, _first, _last, yes, asked in scores
    ]
    rows.sort(key=lambda r: (r.key == UNKNOWN, alphabetical(r.label), r.label, r.round or 0))
    attrition = [
        AttritionRow(str(k), labels(str(k)), int(rnd), *(int(v) for v in counts))
        for k, rnd, *counts in rounds
    ]
    attrition.sort(key=lambda r: (r.key == UNKNOWN, alphabetical(r.label), r.label, r.round))
    result = Outcomes(
        filters,
        group,
        rows,
        attrition,
        comparison,
        _bands(),
        threshold_for(actor),
        as_of,
        str(dimension.label) if dimension else "",
        first,
        last,
    )
    result.satisfaction = sorted(
        (
            SatisfactionRow(
                UNKNOWN if kind is None else str(kind),
                kinds(UNKNOWN if kind is None else str(kind)),
                int(n),
                _f(mean),
                int(satisfied),
            )
            for kind, n, mean, satisfied in satisfaction
        ),
        key=lambda r: (r.key == UNKNOWN, -r.responses, r.label),
    )
    result.reader = actor
    _protect(result)
    _restrict(result, restricted_measures(actor))
    for row in [*result.rows, *([result.comparison] if result.comparison else [])]:
        row.band_list = [row.bands.get(code, 0) for code, _label in result.bands]
    return result


def restricted_measures(actor: Any) -> frozenset[str]:
    """The measures a response's own page shows this reader as "Restricted"
    (`monitoring.responses.masked_scores`): each dimension scoring a question of a sensitive
    group they do not hold (wherever they read cases), then the composite, its median and
    the bands; and the wish to re-migrate when its question is one. Over every version of
    the instrument, since a period's responses may span several."""
    from remis.cases.policy import groups_everywhere
    from remis.monitoring.models import Instrument
    from remis.monitoring.responses import definition_of, hidden_indicators, hidden_questions

    if getattr(actor, "is_superuser", False):
        return frozenset()
    held = groups_everywhere(actor)
    out: set[str] = set()
    for instrument in Instrument.objects.filter(code=REINTEGRATION):
        definition = definition_of(instrument)
        hidden = hidden_questions(definition, held)
        masked = hidden_indicators(definition, hidden)
        out |= {i.dimension for i in definition.indicators if i.code in masked}
        if masked:
            out |= {"composite", "median", "bands"}
        if REMIGRATE_QUESTION in hidden:
            out.add("remigrate")
    return frozenset(out)


def _restrict(result: Outcomes, measures: frozenset[str]) -> None:
    """A row of fewer responses than the small-cell threshold (at least 2) does not show a
    reader the measures their record would restrict: the mean of one response is that
    returnee's social score, which their round's page reads "Restricted" to them, and the
    case list found the only returnee of the month. Rows hidden whole already stay so."""
    if not measures:
        return
    from remis.programmes.queries import small_cell_threshold

    least = max(small_cell_threshold(timezone.localdate(), reader=result.reader) if result.reader else 0, 2)
    for row in [*result.rows, *([result.comparison] if result.comparison else [])]:
        if row.hidden or row.responses >= least:
            continue
        row.restricted = measures
        for measure in MEASURES:
            if measure in measures:
                row.means[measure] = None
        if "median" in measures:
            row.median = None
        if "bands" in measures:
            row.bands = {}
        if "remigrate" in measures:
            row.remigrate_yes = row.remigrate_asked = 0


SMALL = -2  # a hidden count from 1 to the threshold − 1, printed "<5"
LARGER = -1  # a larger count hidden with them, printed "x"


def hidden_mark(value: int, threshold: int) -> int:
    """How a hidden count is kept: "<5" for a small one, "x" for a larger one hidden with
    them, as the return statistics and the annual report print them (a donor read "x" as
    "5 or more" there, and it stood for 1 here)."""
    return SMALL if 0 < value < threshold else LARGER


def _protect(result: Outcomes) -> None:
    """For readers of aggregates only: a group of fewer responses than the threshold shows
    nothing (its means would describe a few people); band counts are suppressed like any
    breakdown of the row's total."""
    from remis.lib.suppression import suppress_1d

    if not result.threshold:
        return
    small = range(1, result.threshold)
    for item in result.satisfaction:
        item.hidden = item.responses in small  # a few people's opinion: not shown
        if item.satisfied in small or item.responses - item.satisfied in small:
            item.satisfied = -1  # the share would give a small count away
    for row in [*result.rows, *([result.comparison] if result.comparison else [])]:
        if 0 < row.responses < result.threshold:
            row.hidden = True
            continue
        if any(
            n in small
            for n in (row.remigrate_asked, row.remigrate_yes, row.remigrate_asked - row.remigrate_yes)
        ):
            row.remigrate_yes = row.remigrate_asked = 0  # the share would give a small count away
        codes = list(row.bands)
        hidden = suppress_1d([row.bands[c] for c in codes], result.threshold, row.responses)
        for i in hidden.cells:
            row.bands[codes[i]] = hidden_mark(row.bands[codes[i]], result.threshold)
    for line in result.attrition:
        values = [line.done, line.lost, line.missed, line.open, line.stopped]
        hidden = suppress_1d(values, result.threshold)
        if hidden.cells or hidden.total:
            for i in hidden.cells:
                values[i] = hidden_mark(values[i], result.threshold)
            line.done, line.lost, line.missed, line.open, line.stopped = values


def _f(value: Any) -> float | None:
    # Not rounded here: rounded to 4 places, then to the page's one decimal of 0–100, a mean
    # of 0.76154 read 76.1.
    return None if value is None else float(value)
