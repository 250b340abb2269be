"""The two ways the analytics copy is read agree: DuckDB reading the database directly (a
full load outside a transaction) and rows read through Django (changes, and loads inside a
transaction, which another connection could not see)."""

from __future__ import annotations

import io
from typing import Any

from django.core.management import call_command

from remis.demo.generator import generate_cases
from remis.demo.world import build_world
from remis.reports import analytics

TABLES = ("persons", *analytics._TYPES)  # every table of the copy, new ones too


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
    # And the shipped assistance types, so that it writes plans, approvals and payments.
    call_command("sync_assistance_defaults", stdout=io.StringIO())
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
    assert all(
        one[t][1]
        for t in (
            "persons",
            "access",
            "responses",
            "rounds",
            "approvals",
            "payments",
            "visits",
            "assignments",
            "submissions",
            "items",
        )
    )
    # The answer read from each response's JSON, and the item a satisfaction answer is about.
    migrate, items = direct.query("SELECT count(migrate_again), count(item_key) FROM responses")[0]
    assert migrate and items
    assert one == other


def test_a_direct_load_leaves_this_process_locks_on_a_sqlite_file(parallel_db: Any) -> None:
    """DuckDB reading the SQLite file in this process would drop this process's locks on it
    when it closed the file; another process writing and closing its connection would then
    believe it was the last, and delete the write-ahead log under this one's ("disk I/O
    error"; a job worker did, in a browser test). The load runs in a child process, so this
    process's connection keeps working."""
    import subprocess
    import sys
    from pathlib import Path

    import pytest
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL has no file locks to lose")
    build_world()
    generate_cases(20, seed=5)
    with connection.cursor() as cursor:  # this process's connection is open, in WAL mode
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    store = analytics.Store()
    store.load()
    assert store.loaded_directly
    name = str(connection.settings_dict["NAME"])
    other = (  # a write, then closing: what a job worker does
        "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); "
        "db.execute('PRAGMA user_version = 7'); db.commit(); db.close()"
    )
    subprocess.run([sys.executable, "-c", other, name], check=True)
    assert Path(name + "-wal").exists()  # the other process knew it was not the last one
    from remis.cases.models import Case

    assert Case.objects.count() == 20


def test_a_failed_direct_load_falls_back_to_reading_through_django(
    parallel_db: Any, monkeypatch: Any, caplog: Any
) -> None:
    import pytest
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("only a SQLite file is read by a child process")
    build_world()
    generate_cases(20, seed=5)
    expected = analytics.Store()
    expected.load()
    assert expected.loaded_directly
    # The child finds no extension to read SQLite with, and fails.
    config = {**analytics._config(), "extension_directory": "/nonexistent"}
    monkeypatch.setattr(analytics, "_config", lambda: config)
    store = analytics.Store()
    store.load()
    assert not store.loaded_directly
    assert "reading through Django" in caplog.text
    assert _contents(store) == _contents(expected)
