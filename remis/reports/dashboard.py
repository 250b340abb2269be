"""The dashboard's statistics, read from the analytics path (registered with the cases app,
which presents them): cases and individuals by country of origin and stage over every case
the reader counts, and returns by month of arrival."""

from __future__ import annotations

import datetime as dt
from typing import Any

from remis.reports import analytics
from remis.reports.statistics import scope_sql


def dashboard_rows(actor: Any, first_day: dt.date, last_day: dt.date) -> Any:
    scope = scope_sql(actor)
    if scope is None:
        return None
    condition, params = scope
    with analytics.locked():
        store = analytics.fresh()
        by_origin_stage = store.query(
            "SELECT p.origin, p.stage, count(DISTINCT p.case_id), count(*), "  # noqa: S608
            "count(DISTINCT p.case_id) FILTER (WHERE p.returned) "
            f"FROM persons p WHERE {condition} GROUP BY 1, 2",
            params,
        )
        by_month = store.query(
            "SELECT date_trunc('month', p.period_day), count(DISTINCT p.case_id) "  # noqa: S608
            f"FROM persons p WHERE {condition} AND p.returned AND p.period_day BETWEEN ? AND ? GROUP BY 1",
            [*params, first_day, last_day],
        )
        as_of = store.caught_up_at
    return by_origin_stage, [(_day(month), n) for month, n in by_month], as_of


def _day(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
