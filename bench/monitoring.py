"""Benchmark: follow-up monitoring at scale — the follow-ups list, rescoring every stored
response, and a KoBoToolbox import matched to cases.

Run against a database filled by `manage.py generate_cases` (which writes rounds, contact
attempts, visits and scored answers):

    DATABASE_URL=sqlite:////path/bench.sqlite3 .venv/bin/python bench/monitoring.py \
        [--only list,rescore,import] [--submissions 20000]

Same method as bench/case_list.py: production settings; pages timed as whole Django requests
in-process after warm-up runs, beside the raw SQL the request issued replayed on the cursor.
Rescoring is timed end to end (`responses.rescore`, every response of every instrument
version, all rows written), beside two references measured in the same run on the same rows:
the chunked read and write of every row with no scoring (the database's share), and the
scorer alone over answers already in memory (the Python share). The import runs the real job
(`monitoring.import`) on a KoBoToolbox CSV of answers for cases whose round is open today,
beside the raw insert of the same number of response rows (`demo.bulk.insert_rows`). The
import's responses are deleted after it, its rounds put back as they were. Prints Markdown.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from case_list import RUNS, WARMUP, machine, percentile, replayable, signed_in, timed
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from remis.accounts.models import User
from remis.cases.models import Case
from remis.demo.monitoring import synthetic_answers
from remis.monitoring.models import FollowUp, Instrument, Response
from remis.monitoring.responses import definition_of, rescore

LIST_SCENARIOS = [
    ("follow-ups: caseworker.gn, all", "caseworker.gn", "/monitoring/follow-ups/"),
    ("follow-ups: caseworker.gn, overdue", "caseworker.gn", "/monitoring/follow-ups/?state=overdue"),
    (
        "follow-ups: caseworker.gn, mine, in window",
        "caseworker.gn",
        "/monitoring/follow-ups/?state=in_window&mine=on",
    ),
    ("follow-ups: caseworker.gn, page 20", "caseworker.gn", "/monitoring/follow-ups/?page=20"),
    ("follow-ups: caseworker.iq, missed", "caseworker.iq", "/monitoring/follow-ups/?state=missed"),
    ("follow-ups: manager.be, all", "manager.be", "/monitoring/follow-ups/"),
    ("follow-ups: admin, all countries", "admin", "/monitoring/follow-ups/"),
    (
        "follow-ups: admin, Guinea, due this week",
        "admin",
        "/monitoring/follow-ups/?state=due_soon&country=GN",
    ),
]


def bench_list() -> None:
    print(f"{RUNS} timed runs per scenario after {WARMUP} warm-up runs.\n")
    print("| scenario | p50 ms | p95 ms | raw SQL p50 ms | raw SQL p95 ms | queries |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, username, path in LIST_SCENARIOS:
        client = signed_in(User.objects.get(username=username))

        def request(path: str = path, client: Client = client) -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        for _ in range(5):  # beyond `timed`'s own warm-up: the first scenario met cold caches
            request()
        with CaptureQueriesContext(connection) as captured:
            request()
        issued = list(captured.captured_queries)  # read now: the log is cleared later
        selects = [sql for sql in (replayable(q["sql"]) for q in issued) if sql]

        def raw_sql(selects: list[str] = selects) -> None:
            # A walk's planner settings (`lib/plans.ordered_walk`, PostgreSQL) and the
            # statement after them run in one transaction, as in the request; the rest alone.
            with connection.cursor() as cursor:
                at = 0
                while at < len(selects):
                    size = 2 if selects[at].startswith("SELECT set_config") else 1
                    with transaction.atomic():
                        for sql in selects[at : at + size]:
                            cursor.execute(sql)
                            cursor.fetchall()
                    at += size

        view, raw = timed(request), timed(raw_sql)
        print(
            f"| {name} | {statistics.median(view):.1f} | {percentile(view, 95):.1f} | "
            f"{statistics.median(raw):.1f} | {percentile(raw, 95):.1f} | {len(issued)} |",
            flush=True,
        )


def bench_rescore() -> None:
    from remis.monitoring.instruments.scoring import compile_scorer
    from remis.monitoring.rescoring import CHUNK, PG_UPDATE, TABLE, _loads, _update_sql

    instruments = list(
        Instrument.objects.filter(responses__isnull=False).distinct().order_by("code", "version")
    )
    total = Response.objects.count()
    print(f"{total:,} responses over {len(instruments)} instrument versions.\n")
    start = time.perf_counter()
    done = sum(rescore(instrument) for instrument in instruments)
    seconds = time.perf_counter() - start
    assert done == total
    # Reference 1: the same chunked read and write of every row, without scoring.
    sql = _update_sql()
    start = time.perf_counter()
    after, moved = 0, 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, indicators, economic, social, psychosocial, composite, band FROM {TABLE} "  # noqa: S608
                "WHERE id > %s ORDER BY id LIMIT %s",
                [after, CHUNK],
            )
            chunk = cursor.fetchall()
        if not chunk:
            break
        rows = [(r[1], r[2], r[3], r[4], r[5], r[6], r[0]) for r in chunk]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # as rescoring writes there: one JSON document
                document = [
                    (orjson.Fragment(r[0]), *(None if v is None else float(v) for v in r[1:5]), r[5], r[6])
                    for r in rows
                ]
                cursor.execute(PG_UPDATE, [orjson.dumps(document).decode()])
            else:
                cursor.executemany(sql, rows)
        moved += len(rows)
        after = chunk[-1][0]
    io_seconds = time.perf_counter() - start
    # Reference 2: the scorer alone, on answers already parsed in memory (a sample).
    rss = max(instruments, key=lambda i: len(definition_of(i).questions))  # the heavier to score
    scorer = compile_scorer(definition_of(rss))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT answers FROM {TABLE} WHERE instrument_id = %s LIMIT 300000", [rss.pk])  # noqa: S608
        answers = [_loads(row[0]) for row in cursor.fetchall()]
    start = time.perf_counter()
    for one in answers:
        scorer(one)
    score_seconds = time.perf_counter() - start
    print("| run | rows | seconds | rows/s |")
    print("| --- | ---: | ---: | ---: |")
    print(
        f"| rescoring, end to end (`rescore`, every instrument) | {done:,} | {seconds:.1f} "
        f"| {done / seconds:,.0f} |"
    )
    print(
        f"| reference: read and write every row, no scoring | {moved:,} | {io_seconds:.1f} | "
        f"{moved / io_seconds:,.0f} |"
    )
    print(
        f"| reference: the scorer alone, answers in memory ({rss.code}) | {len(answers):,} | "
        f"{score_seconds:.1f} | {len(answers) / score_seconds:,.0f} |",
        flush=True,
    )


def _kobo_file(instrument: Instrument, rounds: list[FollowUp], rng: random.Random) -> bytes:
    """A KoBoToolbox CSV export (`;`, quoted, CRLF, metadata columns last) answering each round."""
    definition = definition_of(instrument)
    names = [q.name for q in definition.questions]
    header = ["start", "end", "case_reference", "instrument_code", "instrument_version", *names]
    header += ["_id", "_uuid", "_submission_time", "_validation_status", "_index"]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    for index, follow_up in enumerate(rounds, start=1):
        answers = synthetic_answers(definition, rng, rng.uniform(0.3, 0.9))
        cells = [
            " ".join(v) if isinstance(v, list) else str(v) for v in (answers.get(name, "") for name in names)
        ]
        due = follow_up.due_on
        stamp = dt.datetime(due.year, due.month, due.day, 12, tzinfo=dt.UTC).isoformat()  # the due day
        writer.writerow(
            [
                *(stamp, stamp, follow_up.case.reference, instrument.code, instrument.version, *cells),
                *(index, str(uuid.UUID(int=rng.getrandbits(128), version=4)), stamp, "", index),
            ]
        )
    return out.getvalue().encode()


def bench_import(count: int) -> None:
    from remis.demo.bulk import insert_rows
    from remis.jobs.models import Job
    from remis.jobs.runner import execute
    from remis.monitoring.imports import upload_submissions
    from remis.monitoring.queries import follow_ups

    owner = User.objects.get(username=os.environ.get("BENCH_IMPORT_USER", "manager.be"))
    today = timezone.localdate()
    rss = (
        Instrument.objects.filter(code="reintegration-sustainability", active=True)
        .order_by("-version")
        .first()
    )
    assert rss is not None
    # Rounds of the owner's cases not answered yet whose due day has come (in window, overdue
    # or missed: answers collected on the due day, as a field team's late upload brings them).
    rounds = list(
        follow_ups(owner)
        .filter(status="scheduled", due_on__lte=today, responses__isnull=True)
        .filter(case__consents__purpose="follow_up_contact", case__consents__given=True)
        .select_related("case")
        .order_by("id")
        .distinct()[:count]
    )
    data = _kobo_file(rss, rounds, random.Random())  # new submission ids each run
    upload = upload_submissions(owner, rss, SimpleUploadedFile("kobo.csv", data, content_type="text/csv"))
    job = Job.objects.filter(pk=upload.job_id).first() if upload.job_id else None
    assert job is not None
    before = Response.objects.count()
    start = time.perf_counter()
    execute(job.pk)  # as the worker runs it
    seconds = time.perf_counter() - start
    job.refresh_from_db()
    assert job.status == "succeeded", job.outcome
    added = Response.objects.count() - before
    # Undo it, so the next run finds the same rounds to answer (the audit entries stay: the
    # log is append-only).
    Response.objects.filter(follow_up__in=[f.pk for f in rounds], source="import").delete()
    FollowUp.objects.filter(pk__in=[f.pk for f in rounds]).update(status="scheduled", done_on=None)
    if connection.vendor == "postgresql":
        # The undo leaves the same 6,000 rows dead in both tables on every run: without a
        # vacuum each run met the previous runs' dead rows, which no real import does.
        with connection.cursor() as cursor:
            for model in (Response, FollowUp):
                cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
    # Reference: the raw insert of as many response rows (no reading, matching or checks).
    template = Response.objects.filter(instrument=rss).order_by("id").first()
    assert template is not None
    cols = ("uuid", "instrument", "case", "sample_id", "collected_on", "answers", "indicators", "band")
    cols += ("source", "submission_id", "recorded_at", "version")
    rows = [
        (uuid.uuid4(), rss.pk, None, f"BENCH-{n}", today, "{}", "{}", "", "import", "", timezone.now(), 1)
        for n in range(len(rounds))
    ]
    start = time.perf_counter()
    with transaction.atomic():
        insert_rows(Response, cols, rows)
        raw_seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    size = len(data) / 1e6
    print(f"File: {len(rounds):,} submissions, {size:.1f} MB (KoBoToolbox CSV). {job.outcome}\n")
    print("| run | rows | seconds | rows/s |")
    print("| --- | ---: | ---: | ---: |")
    print(
        f"| import job, end to end (read, match, check, score, save, audit) | {added:,} | {seconds:.1f} "
        f"| {added / seconds:,.0f} |"
    )
    print(
        f"| reference: raw insert of as many rows | {len(rows):,} | {raw_seconds:.2f} "
        f"| {len(rows) / raw_seconds:,.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="list,rescore,import")
    parser.add_argument("--submissions", type=int, default=20000)
    args = parser.parse_args()
    chosen = set(args.only.split(","))
    print(f"### {connection.vendor}: {Case.objects.count():,} cases — {time.strftime('%Y-%m-%d')}\n")
    print(f"Machine: {machine()}.\n")
    counts = {
        "rounds": FollowUp.objects.count(),
        "responses": Response.objects.count(),
    }
    print("Rows: " + ", ".join(f"{name} {n:,}" for name, n in counts.items()) + ".\n")
    if "list" in chosen:
        bench_list()
        print()
    if "rescore" in chosen:
        bench_rescore()
        print()
    if "import" in chosen:
        bench_import(args.submissions)


if __name__ == "__main__":
    main()
