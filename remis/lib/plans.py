"""Index walks that PostgreSQL's planner would otherwise turn into whole-table joins.

A page of a list ordered by an index (the follow-ups by due day) is cheapest read by walking
that index in order and probing each row's scope, stopping at the page's end: a few dozen
rows. PostgreSQL chooses that plan only when it expects enough rows to pass the scope's
EXISTS; it estimates the share of a country's rounds whose case an organisation holds as if
the two were unrelated (at 1M cases: 115 rows expected, 64,224 found), so it hashes every
round of the country against every access row of the organisation and sorts them (300 ms
and more for 51 rows). The statements run inside `ordered_walk()` are planned without hash
and merge joins, bitmap scans and sorts where an index gives the order, so the walk is the
plan whatever the estimates; the settings are the transaction's own and put back on leaving.
SQLite needs none of it: it walks the index for the same queries by itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

# Off inside the walk. `jit` too: with sorts disabled a plan that still needs one (the merge
# of the walks) costs "10 billion" and would be compiled first (0.35 s) for a 1 ms query.
SETTINGS = {
    "enable_hashjoin": "off",
    "enable_mergejoin": "off",
    "enable_bitmapscan": "off",
    "enable_sort": "off",
    "jit": "off",
    "max_parallel_workers_per_gather": "0",  # workers cost more to start than the walk takes
}


@contextmanager
def ordered_walk() -> Iterator[None]:
    """Plan the statements run inside as index walks with probes (PostgreSQL; no effect on
    SQLite). For a few short statements that read a page or a capped count."""
    if connection.vendor != "postgresql":
        yield
        return
    # Inside a caller's transaction (a test, a request run in one transaction) the local
    # settings would outlast the walk: read them first and put them back after. Otherwise
    # the walk's own transaction ends them. (On an error, the rollback puts them back.)
    nested = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        before: dict[str, str] = {}
        if nested:
            names = list(SETTINGS)
            cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names)
            before = dict(zip(names, cursor.fetchone(), strict=True))
        _apply(cursor, SETTINGS)
        yield
        if nested:
            _apply(cursor, before)


def _apply(cursor: CursorWrapper, values: dict[str, str]) -> None:
    pairs = list(values.items())
    cursor.execute(
        "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(pairs)),
        [part for pair in pairs for part in pair],
    )
