"""Benchmark: return statistics over a generated database, on the analytics path, beside
three references measured in the same run on the same rows.

    DATABASE_URL=sqlite:////path/bench.sqlite3 .venv/bin/python bench/reports.py [--runs 20]

* REMIS: `reports.statistics.breakdown` / `cross_table` end to end (scope, catch-up check
  against the audit log, the DuckDB query, labels), as the page and the API call it.
* DuckDB: the same statement (the rows and the totals) on the same columnar rows, with no
  REMIS around it (the floor the analytics path can reach).
* The database: the same aggregate as plain SQL over the case tables (SQLite or PostgreSQL),
  what an ORM GROUP BY would run.
* pandas: the persons' rows exported to CSV once (as an M&E officer downloads them), then for
  each figure `read_csv` + filter + groupby, the read included (as they would run it).

Then the time from a write to a fresh figure: a case's arrival date changed through the
action, and the next breakdown, which catches up with the audit log first. Prints Markdown.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from case_list import machine
from django.db import connection

from remis.accounts.models import User
from remis.reports import analytics
from remis.reports.statistics import DIMENSIONS, Filters, breakdown, breakdown_sql, cohort_where, cross_table

YEAR = int(os.environ.get("BENCH_YEAR", "2025"))
PERIODS = {
    f"{YEAR}": (dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)),
    "all years": (dt.date(1990, 1, 1), dt.date(2100, 12, 31)),
}
FIGURES = [
    "origin",
    "host",
    "origin_region",
    "sex",
    "age_group",
    "category",
    "vulnerability",
    "assistance",
    "year",
]
# The database's own SQL for "persons by country of origin" within a reader's organisation
# (the reference for what plain GROUP BY costs there).
DB_SQL = """
SELECT c.origin_country, count(*), count(DISTINCT c.id)
FROM cases_casemember m JOIN cases_case c ON c.id = m.case_id
LEFT JOIN cases_returntravel t ON t.case_id = c.id
WHERE c.id IN (SELECT case_id FROM cases_caseaccess WHERE organisation_id = %s AND revoked_at IS NULL)
  AND COALESCE(c.arrival_date, t.departure_date) BETWEEN %s AND %s
  AND c.stage IN ('returned','reception','assessment','plan','assistance','monitoring')
GROUP BY c.origin_country
"""
PANDAS_KEYS = {"origin": "origin", "host": "host", "sex": "sex", "year": "year"}


def timed(call: Callable[[], Any], runs: int) -> float:
    for _ in range(2):
        call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--user", default=os.environ.get("BENCH_REPORTS_USER", "manager.be"))
    args = parser.parse_args()
    import pandas as pd

    reader = User.objects.get(username=args.user)
    print(f"### {connection.vendor}: return statistics — {dt.date.today().isoformat()}\n")
    print(machine() + "\n")
    start = time.perf_counter()
    store = analytics.fresh()
    load = time.perf_counter() - start
    persons = store.query("SELECT count(*), count(DISTINCT case_id) FROM persons")[0]
    memory = store.query("SELECT sum(memory_usage_bytes) FROM duckdb_memory()")[0][0] or 0
    how = "DuckDB reading the database directly" if store.loaded_directly else "rows read through Django"
    print(
        f"Analytics copy: {persons[0]:,} persons in {persons[1]:,} cases, loaded in {load:.1f} s ({how}), "
        f"{memory / 1e6:,.0f} MB in DuckDB. Reader: {args.user}. Median of {args.runs} runs.\n"
    )
    # The persons' rows as an M&E officer's CSV export, for pandas.
    export = Path(tempfile.mkdtemp()) / "persons.csv"
    store.db.execute(
        f"COPY (SELECT p.*, year(p.period_day) AS year FROM persons p) TO '{export}' (HEADER)"  # noqa: S608
    )
    access = set(
        r[0]
        for r in store.query(
            "SELECT case_id FROM access WHERE organisation_id IN (SELECT unnest(?))",
            [[g.organisation_id for g in reader.memberships.all()]],
        )
    )
    print(
        "| figure | period | REMIS (ms) | DuckDB alone (ms) | REMIS ÷ DuckDB "
        "| pandas from CSV (ms) | pandas ÷ REMIS |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for period, (first, last) in PERIODS.items():
        filters = Filters(first, last)
        condition, params = cohort_where(reader, filters)  # type: ignore[misc]
        for code in FIGURES:
            # The statement REMIS runs (the rows and the totals), run alone on the same copy.
            sql = breakdown_sql(DIMENSIONS[code], condition)
            remis = timed(lambda f=filters, c=code: breakdown(reader, f, c), args.runs)
            raw = timed(lambda q=sql, p=params: store.db.execute(q, p).fetchall(), args.runs)
            if code in PANDAS_KEYS:
                key = PANDAS_KEYS[code]

                def pipeline(key: str = key, first: dt.date = first, last: dt.date = last) -> Any:
                    frame = pd.read_csv(export, parse_dates=["period_day"])
                    frame = frame[
                        frame["returned"]
                        & frame["case_id"].isin(access)
                        & frame["period_day"].between(pd.Timestamp(first), pd.Timestamp(last))
                    ]
                    return frame.groupby(key).agg(persons=("case_id", "size"), cases=("case_id", "nunique"))

                panda = timed(pipeline, max(3, args.runs // 5))
                panda_text, ratio = f"{panda:,.0f}", f"{panda / remis:,.0f}×"
            else:
                panda_text = ratio = "—"
            print(
                f"| persons by {code} | {period} | {remis:.1f} | {raw:.1f} | {remis / raw:.2f} "
                f"| {panda_text} | {ratio} |"
            )
        remis = timed(lambda f=filters: cross_table(reader, f, "host", "origin"), args.runs)
        print(f"| host × origin cross-table | {period} | {remis:.1f} | — | — | — | — |")
    organisation = reader.memberships.first().organisation_id  # type: ignore[union-attr]
    first, last = PERIODS[f"{YEAR}"]
    with connection.cursor() as cursor:
        database = timed(lambda: cursor.execute(DB_SQL, [organisation, first, last]) or cursor.fetchall(), 5)
    print(
        f"\nReference on the database itself ({connection.vendor}): persons by country of origin "
        f"in {YEAR} within the reader's organisation, plain SQL over the case tables: {database:,.0f} ms.\n"
    )
    write_to_figure(reader)
    export.unlink()


def write_to_figure(reader: User) -> None:
    """A change through the action, then the next figure (which catches up first)."""
    from remis.cases import actions
    from remis.cases.models import ReturnTravel

    travel = (
        ReturnTravel.objects.filter(case__stage="returned", case__host_country="BE")
        .exclude(departure_date=None)
        .select_related("case")
        .order_by("-id")
        .first()
    )
    counsellor = User.objects.filter(username="counsellor.be").first()
    if travel is None or counsellor is None:
        print("No returned Belgian case to change: the write-to-figure time was not measured.")
        return
    filters = Filters(dt.date(1990, 1, 1), dt.date(2100, 12, 31))
    breakdown(reader, filters, "year")
    samples = []
    for shift in (1, -1, 1, -1, 1, -1):
        travel.refresh_from_db()
        assert travel.departure_date is not None
        day = travel.departure_date + dt.timedelta(days=shift)
        actions.save_travel(
            counsellor,
            travel.case,
            expected_version=travel.version,
            departure_date=day,
            arrival_date=day + dt.timedelta(days=1),
        )
        start = time.perf_counter()
        breakdown(reader, filters, "year")
        samples.append(time.perf_counter() - start)
    print(
        f"From a committed write to the next figure (the copy catching up with the audit log, then "
        f"the breakdown): median {statistics.median(samples) * 1000:.0f} ms over {len(samples)} writes."
    )


if __name__ == "__main__":
    main()
