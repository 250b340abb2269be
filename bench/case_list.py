"""Benchmark: the case list (scoped, filtered, sorted; first page and a deep page) at scale.

Run against a database already filled by `manage.py generate_cases`:

    DATABASE_URL=sqlite:////path/bench.sqlite3 .venv/bin/python bench/case_list.py
    bin/with-postgres sh -c '... generate_cases ...; .venv/bin/python bench/case_list.py'

For each scenario it times the whole Django request (view, queries, template) in-process,
and, as a reference measured in the same run, the raw SQL the request issued, executed
directly on the database cursor. The first page is a full page load; filtering, sorting
and paging are timed as the page sends them, htmx requests answered with the results
fragment. Dashboards are timed twice: on the five-minute statistics cache as users mostly
meet it, and uncached (the cache cleared before each timed request, outside the timing).
Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "remis.settings")
# Production settings (DEBUG off): what users get. With DEBUG on, Django wraps every cursor
# to log queries and Jinja2 checks its templates on disk at each render.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-never-used-for-anything-else-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402

if not settings.DEBUG:
    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest pages need

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from remis.accounts.models import User  # noqa: E402
from remis.cases.models import Case  # noqa: E402
from remis.lib.gcpace import settle_heap  # noqa: E402

settle_heap()  # as each production worker does once loaded (remis/wsgi.py)

RUNS = int(os.environ.get("BENCH_RUNS", "40"))
WARMUP = 3


@dataclass
class Scenario:
    name: str
    username: str
    method: str
    data: dict[str, Any]
    path: str = "/cases/"
    cold: bool = False  # clear the cache before each timed request


SCENARIOS = [
    Scenario("host office, newest first, page 1", "counsellor.be", "get", {}),
    Scenario("host office, newest first, page 200", "counsellor.be", "post", {"page": 200}),
    Scenario(
        "host office, stage + origin filter, by arrival",
        "counsellor.be",
        "post",
        {"stage": "monitoring", "origin_country": "IQ", "sort": "-arrival"},
    ),
    Scenario("origin partner, newest first, page 1", "caseworker.gn", "get", {}),
    Scenario(
        "origin partner, arrival range, page 1",
        "caseworker.gn",
        "post",
        {"arrived_from": "2025-01-01", "arrived_to": "2025-06-30", "sort": "arrival"},
    ),
    Scenario("origin partner, newest first, page 200", "caseworker.gn", "post", {"page": 200}),
    Scenario("headquarters admin (all countries), page 1", "admin", "get", {}),
    # "worker": SELF stands for the signed-in user: the dashboard's "my cases" links.
    Scenario("my cases ({assigned:,} assigned), page 1", "counsellor.be", "post", {"worker": "SELF"}),
    Scenario("my cases in one stage", "counsellor.be", "get", {"worker": "SELF", "stage": "registered"}),
    Scenario("name search (accent-insensitive)", "counsellor.be", "post", {"q": "conceicao"}),
    Scenario("name search, common surname", "counsellor.be", "post", {"q": "diallo"}),
    Scenario("name search, two words", "caseworker.gn", "post", {"q": "mamadou bah"}),
    Scenario("dashboard: counsellor", "counsellor.be", "get", {}, "/"),
    Scenario("dashboard: programme manager (statistics, caseloads)", "manager.be", "get", {}, "/"),
    Scenario("dashboard: donor (all countries, aggregates only)", "donor", "get", {}, "/"),
    Scenario("dashboard: counsellor, uncached", "counsellor.be", "get", {}, "/", cold=True),
    Scenario("dashboard: programme manager, uncached", "manager.be", "get", {}, "/", cold=True),
    Scenario("dashboard: donor, uncached", "donor", "get", {}, "/", cold=True),
]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def replayable(sql: str) -> str | None:
    """The statement to replay as plain SQL: a server-side cursor's SELECT (PostgreSQL
    iterators) runs as that SELECT, a UNION of parenthesised SELECTs as it is; its FETCH/CLOSE
    and session writes are left out."""
    cursor = re.match(r"^DECLARE .*? CURSOR .*?FOR (SELECT .*)$", sql, re.S)
    if cursor:
        return cursor.group(1)
    return sql if sql.lstrip().lstrip("(").upper().startswith("SELECT") else None


def timed(fn: Callable[[], Any], before: Callable[[], Any] | None = None) -> list[float]:
    for _ in range(WARMUP):
        if before:
            before()
        fn()
    samples = []
    for _ in range(RUNS):
        if before:
            before()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def signed_in(user: User) -> Client:
    """A test client signed in as `user`, the second factor passed (every reader of these
    pages needs one): the password step stood for by `force_login`, the code step by the
    session mark django-otp leaves."""
    from remis.accounts.tests.second_factor import passed_second_factor

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    passed_second_factor(client, user)
    return client


def run(scenario: Scenario) -> dict[str, Any]:
    user = User.objects.get(username=scenario.username)
    client = signed_in(user)
    data = {key: user.pk if value == "SELF" else value for key, value in scenario.data.items()}

    headers = {"HTTP_HX_REQUEST": "true"} if scenario.method == "post" else {}

    def request() -> None:
        response = getattr(client, scenario.method)(scenario.path, data, **headers)
        assert response.status_code == 200, response.status_code

    connection.queries_log.clear()
    if scenario.cold:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        request()
    # Read the capture now: it is a window on the connection's query log, which each later
    # request resets.
    issued = list(captured.captured_queries)
    case_queries = [sql for sql in (replayable(q["sql"]) for q in issued) if sql]

    def raw_sql() -> None:
        with connection.cursor() as cursor:
            for sql in case_queries:
                cursor.execute(sql)
                cursor.fetchall()

    view = timed(request, cache.clear if scenario.cold else None)
    raw = timed(raw_sql)
    assigned = Case.assigned_workers.through.objects.filter(user=user).count()
    return {
        "name": scenario.name.format(assigned=assigned),
        "p50": statistics.median(view),
        "p95": percentile(view, 95),
        "raw_p50": statistics.median(raw),
        "raw_p95": percentile(raw, 95),
        "queries": len(issued),
    }


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if connection.vendor == "sqlite" else "show server_version")
        version = cursor.fetchone()[0]
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, Python {platform.python_version()}, "
        f"{connection.vendor} {version}"
    )


def main() -> None:
    cases = Case.objects.count()
    print(f"### {connection.vendor}: {cases:,} cases — {time.strftime('%Y-%m-%d')}\n")
    print(f"Machine: {machine()}. {RUNS} timed runs per scenario after {WARMUP} warm-up runs.\n")
    print("| scenario | p50 ms | p95 ms | raw SQL p50 ms | raw SQL p95 ms | queries |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for scenario in SCENARIOS:
        r = run(scenario)
        print(
            f"| {r['name']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['raw_p50']:.1f} | {r['raw_p95']:.1f} "
            f"| {r['queries']} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
