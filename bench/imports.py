"""Benchmark: importing a file of cases (`import_records`'s path), beside the raw bulk insert
of the same rows measured in the same run.

Against a database with the demo world (`manage.py load_demo`): writes a synthetic CSV of
`--rows` cases of the REAB-BE programme (historic and current, every stage; invented names),
imports it as manager.be in `valid_rows` mode through `interop.actions.import_now` (every
row checked, records written in bulk with one audit entry per case and per person), then
imports it again (every row found unchanged). The reference inserts the same number of
persons, cases, members and access rows with `lib/bulk.insert_objects`, with no checks and
no audit, in chunks of the same size, and deletes them. Peak memory is the process's
maximum resident set size (`ru_maxrss`). Prints Markdown.

    DATABASE_URL=sqlite:////path/demo.sqlite3 .venv/bin/python bench/imports.py --rows 1000000

With `--bad-last`, the file ends with one row whose date of birth is impossible (30
February), and it is imported in `all_or_nothing` mode: the bench reports the time, the
problem the report names (row and column) and that no case, person or audit entry was
added. No reference is measured in that mode.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "remis.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from remis.accounts.models import Organisation, User  # noqa: E402
from remis.cases.imports import COLUMNS  # noqa: E402
from remis.cases.models import AccessReason, Case, CaseAccess, CaseMember, Person, Relation  # noqa: E402
from remis.interop.actions import import_now  # noqa: E402
from remis.interop.importing import CHUNK, Result, temporary_report  # noqa: E402
from remis.programmes.models import MigrantCategory, Programme  # noqa: E402

GIVEN = [
    "Aïssatou",
    "Mamadou",
    "Fatoumata",
    "Ibrahima",
    "Mariama",
    "Ousmane",
    "Kadiatou",
    "Alpha",
    "Hawa",
    "Sekou",
]
FAMILY = ["Testbah", "Exampléo", "Samplediallo", "Fictikeita", "Mockcamara", "Demotraoré"]
STAGES = [
    "registered",
    "counselling",
    "return_planned",
    "returned",
    "reception",
    "plan",
    "assistance",
    "monitoring",
    "closed",
]


HEADER_ORDER = [c.name for c in COLUMNS]


def write_file(path: Path, rows: int, programme: Programme, category: str) -> None:
    rng = random.Random(2026)
    origins = sorted(programme.origin_countries)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER_ORDER)
        for n in range(rows):
            stage = rng.choice(STAGES)
            registered = dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(6500))
            returned = stage in STAGES[3:]
            departure = registered + dt.timedelta(days=rng.randrange(20, 200)) if returned else None
            arrival = departure + dt.timedelta(days=1) if departure else None
            closed = (
                arrival + dt.timedelta(days=rng.randrange(30, 700)) if stage == "closed" and arrival else None
            )
            if departure and departure > dt.date(2026, 10, 1):
                stage, departure, arrival, closed, returned = "registered", None, None, None, False
            values = {
                "external_id": f"OLD-{n:07d}",
                "programme": programme.code,
                "category": category,
                "host_country": "BE",
                "origin_country": rng.choice(origins),
                "stage": stage,
                "stage_before_closure": "monitoring" if stage == "closed" else "",
                "closure_reason": "completed" if stage == "closed" else "",
                "registered_on": registered.isoformat(),
                "departure_date": departure.isoformat() if departure else "",
                "arrival_date": arrival.isoformat() if arrival else "",
                "closed_on": closed.isoformat() if closed and closed < dt.date(2026, 11, 1) else "",
                "given_name": rng.choice(GIVEN),
                "family_name": rng.choice(FAMILY),
                "sex": rng.choice("FM"),
                "date_of_birth": (dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(15000))).isoformat(),
                "phone": f"+32 4{rng.randrange(10**7, 10**8)}",
            }
            if values["stage"] == "closed" and not values["closed_on"]:
                values.update(stage="monitoring", stage_before_closure="", closure_reason="")
            writer.writerow([values.get(name, "") for name in HEADER_ORDER])


def import_once(
    path: Path, user: User, organisation: Organisation, mode: str = "valid_rows"
) -> tuple[float, Result]:
    started = time.perf_counter()
    with temporary_report() as report, path.open("rb") as handle:
        result = import_now(
            user,
            organisation,
            entity_code="cases",
            file=handle,
            filename=path.name,
            mode=mode,
            mapping={},
            report=report,
        )
    return time.perf_counter() - started, result


def bad_last(path: Path, rows: int, user: User, organisation: Organisation) -> None:
    """All or nothing on a file whose last row is refused: nothing may be written."""
    from remis.audit.models import AuditEntry

    with path.open("r", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)  # the header
        last = next(reader)  # a good row, made bad below
    last[HEADER_ORDER.index("external_id")] = "OLD-BAD-LAST"
    last[HEADER_ORDER.index("date_of_birth")] = "1990-02-30"
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(last)
    before = (Case.objects.count(), Person.objects.count(), AuditEntry.objects.count())
    took, result = import_once(path, user, organisation, mode="all_or_nothing")
    after = (Case.objects.count(), Person.objects.count(), AuditEntry.objects.count())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    problem = result.problems[0] if result.problems else {}
    print(f"## All or nothing, one bad row at the end — {dt.date.today().isoformat()}\n")
    print(f"Database: {connection.vendor}; file: {rows + 1:,} rows.\n")
    print(
        f"Read and checked {result.rows:,} rows in {took:.1f} s ({result.rows / took:,.0f} rows/s); "
        f"refused {result.refused:,}: row {problem.get('row')}, column {problem.get('column')!r}: "
        f"{problem.get('message')} Written: {result.created + result.updated:,}; committed: "
        f"{result.committed}. Cases, persons, audit entries before {before}, after {after}. "
        f"Peak resident memory: {peak:,.0f} MB."
    )
    assert after == before and not result.committed and result.refused == 1


def reference(rows: int, programme: Programme, organisation: Organisation, category_id: int) -> float:
    """The raw bulk insert of as many persons, cases, members and access rows, then removed."""
    from remis.lib.bulk import insert_objects

    started = time.perf_counter()
    made: list[int] = []
    for first in range(0, rows, CHUNK):
        count = min(CHUNK, rows - first)
        with transaction.atomic():
            persons = [
                Person(uuid=uuid.uuid4(), given_name="Ref", family_name="Row", sex="F") for _ in range(count)
            ]
            insert_objects(Person, persons)
            ids = dict(Person.objects.filter(uuid__in=[p.uuid for p in persons]).values_list("uuid", "id"))
            cases = [
                Case(
                    uuid=uuid.uuid4(),
                    reference=f"REF-{first + i:07d}",
                    programme_id=programme.pk,
                    category_id=category_id,
                    principal_id=ids[p.uuid],
                    host_country="BE",
                    origin_country="GN",
                    registering_organisation_id=organisation.pk,
                    stage="closed",
                )
                for i, p in enumerate(persons)
            ]
            insert_objects(Case, cases)
            case_ids = dict(Case.objects.filter(uuid__in=[c.uuid for c in cases]).values_list("uuid", "id"))
            insert_objects(
                CaseMember,
                [
                    CaseMember(
                        case_id=case_ids[c.uuid], person_id=c.principal_id, relation=Relation.PRINCIPAL
                    )
                    for c in cases
                ],
            )
            insert_objects(
                CaseAccess,
                [
                    CaseAccess(
                        case_id=case_ids[c.uuid],
                        organisation_id=organisation.pk,
                        reason=AccessReason.REGISTERED,
                        external_id=f"REF-{c.reference}",
                    )
                    for c in cases
                ],
            )
            made.extend(case_ids.values())
    elapsed = time.perf_counter() - started
    with transaction.atomic():
        person_ids = list(Case.objects.filter(pk__in=made).values_list("principal_id", flat=True))
        for first in range(0, len(made), 50_000):
            part = made[first : first + 50_000]
            CaseAccess.objects.filter(case_id__in=part).delete()
            CaseMember.objects.filter(case_id__in=part).delete()
            Case.objects.filter(pk__in=part).delete()
        for first in range(0, len(person_ids), 50_000):
            Person.objects.filter(pk__in=person_ids[first : first + 50_000]).delete()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--bad-last", action="store_true", help="all or nothing, the last row refused")
    args = parser.parse_args()
    user = User.objects.get(username="manager.be")
    organisation = Organisation.objects.get(name="IOM Belgium")
    programme = Programme.objects.get(code="REAB-BE")
    category = MigrantCategory.objects.filter(sensitive_group="", active=True).order_by("code").first()
    assert category is not None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.csv"
        started = time.perf_counter()
        write_file(path, args.rows, programme, category.code)
        written = time.perf_counter() - started
        if args.bad_last:
            bad_last(path, args.rows, user, organisation)
            return
        size = path.stat().st_size
        first, result = import_once(path, user, organisation)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        second, again = import_once(path, user, organisation)
    raw = reference(args.rows, programme, organisation, category.pk)
    print(f"## Importing cases — {dt.date.today().isoformat()}\n")
    print(
        f"Database: {connection.vendor}; file: {args.rows:,} rows, {size / 1_048_576:,.0f} MB "
        f"(written in {written:.1f} s)\n"
    )
    print("| run | rows | time | rows/s | outcome |")
    print("| --- | ---: | ---: | ---: | --- |")
    print(
        f"| import (valid rows) | {args.rows:,} | {first:.1f} s | {args.rows / first:,.0f} | "
        f"{result.created:,} added, {result.refused:,} refused |"
    )
    print(
        f"| same file again | {args.rows:,} | {second:.1f} s | {args.rows / second:,.0f} | "
        f"{again.unchanged:,} unchanged |"
    )
    print(
        f"| reference: raw bulk insert | {args.rows:,} | {raw:.1f} s | {args.rows / raw:,.0f} | "
        "no checks, no audit |"
    )
    print(f"\nPeak resident memory: {peak:,.0f} MB.")
    print("The imported cases stay in the database: run it on a throwaway copy.")


if __name__ == "__main__":
    main()
