"""An indicator framework's results per period, on the analytics path.

Each indicator is one statement over the reader's cohort (`reports.statistics.cohort_where`)
grouped by period (and by a disaggregation when asked), so a framework of a dozen
indicators over years of returns reads the copy a dozen times. Readers without case.view
get small-cell suppression on the rows each value rests on (`lib/suppression.py`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from remis.indicators.computation import (
    COUNT,
    DISAGGREGATIONS,
    POINTS,
    SHARE,
    Spec,
    SpecError,
    compile_sql,
    parse_spec,
    scale_of,
)
from remis.indicators.models import Direction, Framework, Indicator
from remis.reports import analytics
from remis.reports.statistics import (
    UNKNOWN,
    Filters,
    alphabetical,
    cohort_where,
    dimension_for,
    join_of,
    labeller,
    threshold_for,
)

YEAR, QUARTER = "year", "quarter"
_PERIOD_KEY = {
    YEAR: "CAST(year(p.period_day) AS VARCHAR)",
    QUARTER: "CAST(year(p.period_day) AS VARCHAR) || '-Q' || CAST(quarter(p.period_day) AS VARCHAR)",
}


@dataclass(frozen=True)
class Period:
    key: str  # "2026" or "2026-Q1": the key targets are given by
    start: dt.date
    end: dt.date


def periods(first_year: int, last_year: int, granularity: str) -> list[Period]:
    out: list[Period] = []
    for year in range(first_year, last_year + 1):
        if granularity == QUARTER:
            for quarter in range(1, 5):
                start = dt.date(year, 3 * quarter - 2, 1)
                end = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
                out.append(Period(f"{year}-Q{quarter}", start, end - dt.timedelta(days=1)))
        else:
            out.append(Period(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31)))
    return out


@dataclass
class Cell:
    value: float | None
    n: int
    hidden: bool = False  # a small cell (or one that would give a small one away)
    hits: int | None = None  # a share's rows meeting its numerator
    restricted: bool = False  # hidden as "Restricted": too few scores the reader's records restrict


# A response's field as the measure `reports.outcomes.restricted_measures` names.
_MEASURE_OF = {
    "composite": "composite",
    "economic": "economic",
    "social": "social",
    "psychosocial": "psychosocial",
    "band": "bands",
    "wish_to_migrate_again": "remigrate",
}


def _rests_on_restricted(spec: Any, restricted: frozenset[str]) -> bool:
    """Whether an indicator measures or selects by a response's field the reader's records
    show them "Restricted" (a mean social score, a share of a band)."""
    if spec is None or spec.subject != "responses" or not restricted:
        return False
    names = {spec.field, *(c[0] for c in spec.where), *(c[0] for c in spec.numerator)}
    return any(_MEASURE_OF.get(str(name)) in restricted for name in names if name)


def _restrict(cell: Cell, least: int) -> None:
    """A cell of fewer rows than `least` reads "Restricted": the mean of one response is
    that returnee's score, which their round's page restricts."""
    if 0 < cell.n < least and not cell.hidden:
        cell.hidden = cell.restricted = True


def _cell(share: bool, value: Any, n: Any) -> Cell:
    """A cell from a statement's (value, n); a share's value comes as its numerator's rows."""
    count = int(n)
    if share:
        hits = int(value or 0)
        return Cell(hits / count if count else None, count, hits=hits)
    return Cell(_number(value), count)


def _protect(cells: list[Cell], total: Cell, threshold: int) -> None:
    """Hide the cells resting on a small number of rows, and for a share those whose rows
    meeting the numerator (or not meeting it) are few: share × rows would give them. Each
    count is suppressed like a breakdown of the total's, so no hidden one is recovered by
    subtraction."""
    from remis.lib.suppression import suppress_1d

    vectors = [([c.n for c in cells], total.n)]
    if total.hits is not None:
        vectors.append(([c.hits or 0 for c in cells], total.hits))
        vectors.append(([c.n - (c.hits or 0) for c in cells], total.n - total.hits))
    for values, whole in vectors:
        for i in suppress_1d(values, threshold, whole).cells:
            cells[i].hidden = True


def _small(cell: Cell, threshold: int) -> bool:
    from remis.lib.suppression import primary

    if primary(cell.n, threshold):
        return True
    return cell.hits is not None and (primary(cell.hits, threshold) or primary(cell.n - cell.hits, threshold))


@dataclass
class PeriodResult:
    period: Period
    cell: Cell
    target: Decimal | None
    met: bool | None  # None: no target, or no value to compare

    @property
    def gap(self) -> float | None:
        if self.target is None or self.cell.value is None or self.cell.hidden:
            return None
        return self.cell.value - float(self.target)


@dataclass
class GroupRow:
    key: str
    label: str
    cells: list[Cell]  # one per period


@dataclass
class IndicatorResult:
    indicator: Indicator
    spec: Spec | None
    applies: bool  # False: the indicator's programmes exclude the one asked for
    rows: list[PeriodResult] = field(default_factory=list)
    groups: list[GroupRow] = field(default_factory=list)  # when disaggregated
    error: str = ""  # a stored computation that no longer checks


@dataclass
class FrameworkResults:
    framework: Framework
    periods: list[Period]
    granularity: str
    by: str  # a disaggregation code, or ""
    programme_id: int | None
    results: list[IndicatorResult]
    threshold: int
    as_of: dt.datetime | None


def target_for(indicator: Indicator, period: Period) -> Decimal | None:
    raw = (indicator.targets or {}).get(period.key)
    return None if raw in (None, "") else Decimal(str(raw))


def _met(indicator: Indicator, value: float | None, target: Decimal | None) -> bool | None:
    if value is None or target is None:
        return None
    if indicator.direction == Direction.LOWER:
        return value <= float(target)
    return value >= float(target)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def compute(
    actor: Any,
    framework: Framework,
    first_year: int,
    last_year: int,
    granularity: str = YEAR,
    programme_id: int | None = None,
    by: str = "",
) -> FrameworkResults | None:
    """The results of every indicator of `framework` for each period; None when the actor
    counts nothing."""
    from remis.programmes.queries import small_cell_threshold
    from remis.reports.outcomes import restricted_measures

    spans = periods(first_year, last_year, granularity)
    threshold = threshold_for(actor)
    restricted = restricted_measures(actor)
    least = max(small_cell_threshold(dt.date.today(), reader=actor), 2) if restricted else 0
    dimension = dimension_for(actor, by) if by in DISAGGREGATIONS else None
    indicators = list(framework.indicators.prefetch_related("programmes"))
    out = FrameworkResults(
        framework, spans, granularity, by if dimension else "", programme_id, [], threshold, None
    )
    planned: list[tuple[IndicatorResult, str, list[Any]]] = []
    for indicator in indicators:
        try:
            spec = parse_spec(indicator.computation)
        except SpecError as error:
            out.results.append(IndicatorResult(indicator, None, True, error=str(error)))
            continue
        own = tuple(p.pk for p in indicator.programmes.all())
        chosen = (programme_id,) if programme_id else own
        if programme_id and own and programme_id not in own:
            out.results.append(IndicatorResult(indicator, spec, False))
            continue
        filters = Filters(
            start=spans[0].start,
            end=spans[-1].end,
            programmes=chosen,
            origins=tuple(indicator.countries or ()),
        )
        where = cohort_where(actor, filters)
        if where is None:
            return None
        keys = [_PERIOD_KEY[granularity]]
        joins = ""
        if dimension is not None and by in (indicator.disaggregations or []):
            keys.append(f"COALESCE({dimension.key}, '{UNKNOWN}')")
            joins = join_of(dimension)
        sql, params = compile_sql(spec, keys, joins)
        cohort = f"WITH p AS MATERIALIZED (SELECT * FROM persons p WHERE {where[0]}) "  # noqa: S608
        planned.append((IndicatorResult(indicator, spec, True), cohort + sql, [*where[1], *params]))
        if len(keys) == 2:  # the period totals too, which the groups are suppressed against
            total_sql, total_params = compile_sql(spec, keys[:1])
            planned.append((planned[-1][0], cohort + total_sql, [*where[1], *total_params]))
    found: list[list[tuple[Any, ...]]] = []
    with analytics.locked():
        store = analytics.fresh()
        for _result, sql, params in planned:
            found.append(store.query(sql, params))
        out.as_of = store.caught_up_at
    labels = labeller(by) if dimension is not None else None
    index = 0
    while index < len(planned):
        result = planned[index][0]
        rows = found[index]
        grouped = index + 1 < len(planned) and planned[index + 1][0] is result
        totals = found[index + 1] if grouped else rows
        share = result.spec is not None and result.spec.aggregation == "share"
        # No row in a period: a count is 0 there; a share, mean or median has no value.
        counted = result.spec is not None and result.spec.aggregation == "count"
        by_period = {str(r[0]): _cell(share, r[-2], r[-1]) for r in totals}
        for period in spans:
            cell = by_period.get(period.key, Cell(0.0 if counted else None, 0, hits=0 if share else None))
            if threshold and _small(cell, threshold):
                cell.hidden = True
            if _rests_on_restricted(result.spec, restricted):
                _restrict(cell, least)
            target = target_for(result.indicator, period)
            met = None if cell.hidden else _met(result.indicator, cell.value, target)
            result.rows.append(PeriodResult(period, cell, target, met))
        if grouped:
            assert labels is not None
            cells: dict[str, dict[str, Cell]] = {}
            for row in rows:
                cells.setdefault(str(row[1]), {})[str(row[0])] = _cell(share, row[2], row[3])
            empty = Cell(0.0 if counted else None, 0, hits=0 if share else None)
            groups = [
                GroupRow(key, labels(key), [cells[key].get(p.key, replace(empty)) for p in spans])
                for key in cells
            ]
            # As the reader's alphabet orders names: by code points, Égypte came after Zimbabwe.
            groups.sort(key=lambda g: (g.key == UNKNOWN, alphabetical(g.label), g.label))
            if threshold:
                for column, period_row in enumerate(result.rows):
                    _protect([g.cells[column] for g in groups], period_row.cell, threshold)
            result.groups = groups
            if _rests_on_restricted(result.spec, restricted):
                for group in groups:
                    for cell in group.cells:
                        _restrict(cell, least)
            index += 2
        else:
            index += 1
        out.results.append(result)
    order = {indicator.pk: i for i, indicator in enumerate(indicators)}
    out.results.sort(key=lambda r: order[r.indicator.pk])
    return out


def shown(result: IndicatorResult, cell: Cell, threshold: int) -> str:
    """A value as the tables print it: a share in per cent, a count whole, a score's mean or
    median in points (0–100), another mean or median with up to two decimals; "<threshold" for a
    small cell hidden, "x" for one hidden so that a small one cannot be worked out; "–" for
    no data."""
    if cell.restricted:
        return str(_("Restricted"))
    if cell.hidden:
        return f"<{threshold}" if cell.n < threshold else "x"
    if cell.value is None or result.spec is None:
        return "–"
    return format_value(scale_of(result.spec), cell.value)


def format_value(scale: str, value: float | Decimal) -> str:
    """`scale`: `computation.scale_of` the indicator's computation."""
    from django.utils.formats import number_format

    number = float(value)
    if scale == SHARE:
        return _("%(value)s%%") % {"value": number_format(round(number * 100, 1), 1, use_l10n=True)}
    if scale == COUNT:
        return number_format(round(number), 0, use_l10n=True, force_grouping=True)
    if scale == POINTS:  # as every score is shown: 0–100, one decimal
        return number_format(round(number * 100, 1), 1, use_l10n=True)
    # Days and other measures: as many decimals as the value has, up to two (a median of 38
    # days read "38.00", where the outcomes page writes 38).
    rounded = round(number, 2)
    places = 0 if rounded == round(rounded) else 1 if rounded == round(rounded, 1) else 2
    return number_format(rounded, places, use_l10n=True)
