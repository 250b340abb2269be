"""`checkpoints_aside`: inside the block the caller's commits leave the write-back of SQLite's
log to a second connection, which has copied every commit back into the database file when
the block ends; the caller's own setting comes back; inside a transaction nothing changes."""

from __future__ import annotations

import os

import pytest
from django.db import connection, transaction

from remis.lib.checkpoints import checkpoints_aside

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write-ahead log")


def _autocheckpoint() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        return int(cursor.fetchone()[0])


def test_commits_in_the_block_are_written_back_by_the_second_connection(parallel_db):
    database = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE lib_checkpoint_probe (payload BLOB)")
    try:
        before = _autocheckpoint()
        assert before > 0
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # start from an empty log
        size = os.path.getsize(database)
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
        # 1.2 MB committed: in the database file itself now, not only in the log (some
        # may have gone into free pages left by earlier tests).
        assert os.path.getsize(database) - size >= 1_000_000
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
