"""`checkpoints_aside`: inside the block the caller's commits leave the write-back of SQLite's
log to a second connection, which has copied every commit back into the database file when
the block ends; the caller's own setting comes back; inside a transaction nothing changes."""

from __future__ import annotations

import os
import shutil
import sqlite3

import pytest
from django.db import connection, transaction

from remis.lib.checkpoints import checkpoints_aside

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write-ahead log")


def _autocheckpoint() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        return int(cursor.fetchone()[0])


def test_commits_in_the_block_are_written_back_by_the_second_connection(parallel_db, tmp_path):
    database = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE lib_checkpoint_probe (payload BLOB)")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the table in the file, the log empty
    try:
        before = _autocheckpoint()
        assert before > 0
        with checkpoints_aside() as committed:
            assert _autocheckpoint() == 0  # this connection no longer copies the log back
            for _ in range(3):
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.executemany(
                        "INSERT INTO lib_checkpoint_probe (payload) VALUES (%s)",
                        [(os.urandom(4000),) for _ in range(100)],
                    )
                committed()
        assert _autocheckpoint() == before
        # The database file alone, without its log, holds every row committed in the block.
        alone = tmp_path / "alone.sqlite3"
        shutil.copyfile(database, alone)
        reader = sqlite3.connect(alone)
        try:
            assert reader.execute("SELECT count(*) FROM lib_checkpoint_probe").fetchone() == (300,)
        finally:
            reader.close()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE lib_checkpoint_probe")


@pytest.mark.django_db
def test_inside_a_transaction_it_changes_nothing():
    before = _autocheckpoint()
    with checkpoints_aside() as committed:
        assert _autocheckpoint() == before
        committed()
    assert _autocheckpoint() == before
