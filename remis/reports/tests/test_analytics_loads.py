"""The two ways the analytics copy is read agree: DuckDB reading the database directly (a
full load outside a transaction) and rows read through Django (changes, and loads inside a
transaction, which another connection could not see)."""

from __future__ import annotations

from typing import Any

from remis.demo.generator import generate_cases
from remis.demo.world import build_world
from remis.reports import analytics

TABLES = ("persons", "access", "vulnerabilities", "assistance", "monitored", "responses", "rounds")


def _contents(store: analytics.Store) -> dict[str, Any]:
    """Each table's columns (names and types) and rows."""
    return {
        t: (store.query(f"DESCRIBE {t}"), store.query(f"SELECT * FROM {t} ORDER BY ALL"))  # noqa: S608
        for t in TABLES
    }


def test_direct_and_django_reads_give_the_same_copy(parallel_db: Any) -> None:
    from django.db import transaction

    from remis.monitoring.configuration import seed_instruments, seed_rules
    from remis.monitoring.models import Instrument, ScheduleRules

    # The shipped schedule and instruments come with the migrations: put them back after an
    # earlier committed test's flush, so that the generator writes rounds and responses.
    seed_rules(ScheduleRules)
    seed_instruments(Instrument)
    build_world()
    generate_cases(150, seed=3)
    direct = analytics.Store()
    direct.load()
    assert direct.loaded_directly  # committed rows, a database DuckDB can attach
    through_django = analytics.Store()
    with transaction.atomic():
        through_django.load()
    assert not through_django.loaded_directly
    one, other = _contents(direct), _contents(through_django)
    assert all(one[t][1] for t in ("persons", "access", "responses", "rounds"))
    assert one == other
