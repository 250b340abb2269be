"""Benchmark: the annual report in each edition, the public one with its tables hidden
together (reports/editions.py), beside the confidential one for the same reader in the same
run (the same queries without the hiding: the difference is the hiding's cost).

    DATABASE_URL=sqlite:////path/bench.sqlite3 .venv/bin/python bench/annual.py [--year 2025] [--runs 5]

Prints Markdown. The analytics copy is loaded by a first call, not timed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from case_list import machine

from remis.accounts.models import User
from remis.reports.annual import annual_report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"### The annual report {args.year} — {time.strftime('%Y-%m-%d')}\n")
    print(f"Machine: {machine()}.\n")
    start = time.perf_counter()
    annual_report(User.objects.get(username="manager.be"), args.year)
    print(f"Analytics copy loaded by the first call: {time.perf_counter() - start:.1f} s.\n")
    print("| reader | edition | persons | median s | runs |")
    print("| --- | --- | ---: | ---: | ---: |")
    for username, editions in (("manager.be", ("confidential", "public")), ("donor", ("public",))):
        user = User.objects.get(username=username)
        for edition in editions:
            times = []
            persons: object = None
            for _ in range(args.runs):
                start = time.perf_counter()
                report = annual_report(user, args.year, edition=edition)
                times.append(time.perf_counter() - start)
                persons = report.total_persons if report else None
            print(f"| {username} | {edition} | {persons} | {statistics.median(times):.2f} | {args.runs} |")


if __name__ == "__main__":
    main()
