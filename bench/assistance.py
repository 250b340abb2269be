"""Benchmark: the reintegration assistance and referral pages at scale.

Run against a database already filled by `manage.py generate_cases` (which writes plans of
one or two versions, instalments and referrals to the demo map's providers):

    DATABASE_URL=sqlite:////path/bench.sqlite3 .venv/bin/python bench/assistance.py
    bin/with-postgres sh -c '... generate_cases ...; .venv/bin/python bench/assistance.py'

Same method as bench/case_list.py (whose helpers it uses): production settings, warm-up
runs, then timed runs of the whole Django request in-process (view, queries, template),
and, as a reference measured in the same run, the raw SQL the request issued replayed on
the database cursor. The pages: a case's plan page (a changed plan, with referrals) and its
version comparison, the approval work list and the dashboard's "my work" of a programme
manager, a provider's referral inbox, the overdue referrals of a case worker, the referral
funnel (whole programme and one country) and the budgets page. Prints a Markdown table for
docs/benchmarks.md.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from case_list import RUNS, WARMUP, machine, percentile, replayable, signed_in, timed
from django.db import connection
from django.test.utils import CaptureQueriesContext

from remis.accounts.models import User
from remis.assistance.models import AssistanceItem, Plan, PlanVersion
from remis.cases.models import Case
from remis.referrals.models import Referral


@dataclass
class Scenario:
    name: str
    user: Callable[[], User]
    path: Callable[[], str]


def _changed_plan() -> Plan:
    """The Iraqi case with a changed plan (second version approved) and the most referrals
    among the first few hundred such plans: the fullest plan page the data has."""
    plans = Plan.objects.filter(
        case__origin_country="IQ", latest__number=2, latest__status="approved", case__referrals__isnull=False
    ).select_related("case")

    def weight(candidate: Plan) -> tuple[int, int]:
        items = AssistanceItem.objects.filter(version__plan=candidate).count()
        return candidate.case.referrals.count(), items

    return max(plans[:300], key=weight)


def _approver(plan: Plan) -> User:
    """The programme manager who approved the plan's current version."""
    assert plan.in_force is not None
    decision = plan.in_force.decisions.order_by("-at").first()
    assert decision is not None
    return decision.by


def _user(username: str) -> Callable[[], User]:
    return lambda: User.objects.get(username=username)


PLAN: dict[str, Any] = {}


def plan() -> Plan:
    if "plan" not in PLAN:
        PLAN["plan"] = _changed_plan()
    return PLAN["plan"]


SCENARIOS = [
    Scenario(
        "plan page: a changed plan, its approving manager",
        lambda: _approver(plan()),
        lambda: f"/cases/{plan().case.uuid}/plan/",
    ),
    Scenario(
        "plan page: the same, its case worker",
        _user("caseworker.iq"),
        lambda: f"/cases/{plan().case.uuid}/plan/",
    ),
    Scenario(
        "plan versions compared (v1 → v2)",
        _user("caseworker.iq"),
        lambda: f"/cases/{plan().case.uuid}/plan/compare/?a=1&b=2",
    ),
    Scenario("plans awaiting my approval: manager.be", _user("manager.be"), lambda: "/plans/work/approve/"),
    Scenario("instalments due: caseworker.iq", _user("caseworker.iq"), lambda: "/plans/work/instalments/"),
    Scenario("my work (dashboard): manager.be", _user("manager.be"), lambda: "/"),
    Scenario("referral inbox: provider.gn", _user("provider.gn"), lambda: "/referrals/"),
    Scenario(
        "referral inbox, waiting only: provider.gn", _user("provider.gn"), lambda: "/referrals/?status=sent"
    ),
    Scenario("overdue referrals: caseworker.iq", _user("caseworker.iq"), lambda: "/referrals/overdue/"),
    Scenario("referral funnel, all countries: admin", _user("admin"), lambda: "/referrals/funnel/"),
    Scenario("referral funnel, Iraq: admin", _user("admin"), lambda: "/referrals/funnel/?country=IQ"),
    Scenario("referral funnel: caseworker.iq", _user("caseworker.iq"), lambda: "/referrals/funnel/"),
    Scenario("budgets: manager.be", _user("manager.be"), lambda: "/plans/budget/"),
    Scenario("budgets, all programmes and countries: admin", _user("admin"), lambda: "/plans/budget/"),
]


def run(scenario: Scenario) -> dict[str, Any]:
    user = scenario.user()
    client = signed_in(user)
    path = scenario.path()

    def request() -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        request()
    issued = list(captured.captured_queries)
    selects = [sql for sql in (replayable(q["sql"]) for q in issued) if sql]

    def raw_sql() -> None:
        with connection.cursor() as cursor:
            for sql in selects:
                cursor.execute(sql)
                cursor.fetchall()

    view = timed(request)
    raw = timed(raw_sql)
    return {
        "name": f"{scenario.name} ({user.username})"
        if scenario.name.startswith("plan page: a")
        else scenario.name,
        "p50": statistics.median(view),
        "p95": percentile(view, 95),
        "raw_p50": statistics.median(raw),
        "raw_p95": percentile(raw, 95),
        "queries": len(issued),
    }


def main() -> None:
    cases = Case.objects.count()
    print(f"### {connection.vendor}: {cases:,} cases — {time.strftime('%Y-%m-%d')}\n")
    print(f"Machine: {machine()}. {RUNS} timed runs per scenario after {WARMUP} warm-up runs.\n")
    counts = {
        "plans": Plan.objects.count(),
        "plan versions": PlanVersion.objects.count(),
        "items": AssistanceItem.objects.count(),
        "referrals": Referral.objects.count(),
    }
    print("Rows: " + ", ".join(f"{name} {n:,}" for name, n in counts.items()) + ".\n")
    chosen = plan()
    print(
        f"Plan page case: {chosen.case.reference} ({chosen.case.referrals.count()} referrals, "
        f"{AssistanceItem.objects.filter(version__plan=chosen).count()} items over its versions).\n"
    )
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
