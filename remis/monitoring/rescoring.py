"""Rescoring stored responses: millions of rows, so neither model instances nor `bulk_update`.

Rows are read and written in chunks by id with plain SQL (answers in, scores out), scored by
the instrument version's compiled scorer, JSON parsed and written by orjson. A large run on a
machine with more than one core is split into contiguous id ranges, one process each, every
process with its own database connection: scoring is pure Python, so one process uses one
core, and the writes (a small share of the time) take turns on SQLite. Progress from all of
them is summed in the calling process, which alone reports it. A chunk is one transaction:
a run interrupted half-way leaves every response scored either by the old or by the new
computation, and running it again finishes the job (rescoring is idempotent).
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
from collections.abc import Callable, Iterator
from typing import Any

import orjson
from django.db import connection, connections, transaction

from remis.lib.ahead import may_fork
from remis.monitoring.instruments.scoring import Scorer

CHUNK = 10_000
PARALLEL_FROM = 200_000  # fewer rows than this: one process (starting others costs more)
TABLE = "monitoring_response"  # a constant: the only name put into the SQL text


def _update_sql() -> str:
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    return (
        f"UPDATE {TABLE} SET indicators = {cast}, economic = %s, social = %s, psychosocial = %s, "  # noqa: S608
        "composite = %s, band = %s WHERE id = %s"
    )


# The chunk goes to PostgreSQL as one JSON document, an array of
# [indicators, economic, social, psychosocial, composite, band, id] rows, taken apart by
# the server: as arrays of text, psycopg escaped every quote of every indicators' JSON with
# a regular expression in Python, which took half of the whole run's time.
PG_UPDATE = (
    f"UPDATE {TABLE} AS r SET indicators = v.value -> 0, economic = (v.value ->> 1)::numeric, "  # noqa: S608
    "social = (v.value ->> 2)::numeric, psychosocial = (v.value ->> 3)::numeric, "
    "composite = (v.value ->> 4)::numeric, band = v.value ->> 5 "
    "FROM jsonb_array_elements(%s::jsonb) AS v WHERE r.id = (v.value ->> 6)::bigint"
)


def _rows(instrument_id: int, first: int, last: int) -> Iterator[list[tuple[int, Any]]]:
    """(id, answers) of the instrument's responses with first <= id <= last, a chunk at a time."""
    after = first - 1
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, answers FROM {TABLE} WHERE instrument_id = %s AND id > %s AND id <= %s "  # noqa: S608
                "ORDER BY id LIMIT %s",
                [instrument_id, after, last, CHUNK],
            )
            chunk = cursor.fetchall()
        if not chunk:
            return
        yield chunk
        after = chunk[-1][0]


def _loads(value: Any) -> Any:
    # Text on both engines (Django reads jsonb as text with psycopg 3); a dict if a driver
    # ever parses it itself.
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def score_range(
    scorer: Scorer, instrument_id: int, first: int, last: int, report: Callable[[int], None]
) -> int:
    """Rescore the responses of one id range; `report(n)` after each chunk of n rows."""
    postgresql = connection.vendor == "postgresql"
    sql = _update_sql()
    dumps = orjson.dumps
    done = 0
    for chunk in _rows(instrument_id, first, last):
        out: list[tuple[Any, ...]] = []
        for response_id, answers in chunk:
            scores = scorer(_loads(answers))
            dimensions = scores.dimensions
            out.append(
                (
                    # PostgreSQL: the indicators stay an object inside the chunk's document.
                    scores.indicators if postgresql else dumps(scores.indicators).decode(),
                    dimensions.get("economic"),
                    dimensions.get("social"),
                    dimensions.get("psychosocial"),
                    scores.composite,
                    scores.band or "",
                    response_id,
                )
            )
        with transaction.atomic(), connection.cursor() as cursor:
            if postgresql:
                # One statement for the chunk (executemany is a round trip per row there).
                cursor.execute(PG_UPDATE, [dumps(out).decode()])
            else:
                cursor.executemany(sql, out)
        done += len(out)
        report(len(out))
    return done


def _bounds(instrument_id: int, parts: int) -> list[tuple[int, int]]:
    """`parts` contiguous id ranges holding about as many of the instrument's rows each."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), MIN(id), MAX(id) FROM {TABLE} WHERE instrument_id = %s",  # noqa: S608
            [instrument_id],
        )
        total, low, high = cursor.fetchone()
        if not total:
            return []
        cuts = [low]
        for k in range(1, parts):
            cursor.execute(
                f"SELECT id FROM {TABLE} WHERE instrument_id = %s ORDER BY id LIMIT 1 OFFSET %s",  # noqa: S608
                [instrument_id, total * k // parts],
            )
            cuts.append(cursor.fetchone()[0])
    ranges = [(start, end - 1) for start, end in itertools.pairwise(cuts)]
    return [*ranges, (cuts[-1], high)]


def _child(scorer: Scorer, instrument_id: int, first: int, last: int, progress: Any) -> None:
    connections.close_all()  # never use the parent's connection: open our own
    try:
        score_range(scorer, instrument_id, first, last, progress.put)
        progress.put(None)
    except BaseException as error:  # the parent re-raises it
        progress.put(error)
    finally:
        connections.close_all()


def rescore_instrument(
    scorer: Scorer, instrument_id: int, total: int, progress: Callable[[int, int], None] | None = None
) -> int:
    """Rescore every response to one instrument version; returns how many were rescored."""
    done = 0

    def report(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    parts = min(os.cpu_count() or 1, 8)
    if parts < 2 or total < PARALLEL_FROM or not may_fork():
        # In a transaction (tests, a caller's atomic block), other connections would not see
        # its rows: score here.
        return score_range(scorer, instrument_id, 1, 2**62, report)
    ranges = _bounds(instrument_id, parts)
    context = multiprocessing.get_context("fork")
    messages = context.Queue()
    connections.close_all()  # the children must not share the parent's open connection
    children = [
        context.Process(target=_child, args=(scorer, instrument_id, first, last, messages))
        for first, last in ranges
    ]
    for child in children:
        child.start()
    running = len(children)
    failure: BaseException | None = None
    try:
        while running:
            try:
                message = messages.get(timeout=5)
            except queue.Empty:
                if not any(child.is_alive() for child in children):
                    failure = failure or RuntimeError("a rescoring process ended without reporting")
                    break
                continue
            if message is None:
                running -= 1
            elif isinstance(message, BaseException):
                running -= 1
                failure = failure or message
            else:
                report(message)
    finally:
        for child in children:
            child.join()
    if failure is not None:
        raise failure
    return done
