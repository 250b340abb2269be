"""Writing SQLite's write-ahead log back into the database on a second connection, beside a
long run of large transactions (an import).

In WAL mode a commit appends the changed pages to the log, and the connection that commits
past `wal_autocheckpoint` pages then copies the log back into the database file before the
commit returns: on a large database about a third of an import's save time was spent there,
waiting. `checkpoints_aside` turns that off for this connection while the block runs and
has a thread on a connection of its own do the same copy after each commit it is told of
(`nudge`), so the copy overlaps the next transaction's work. Python's sqlite3 releases its
lock while SQLite works, so the thread really runs beside the caller.

A passive checkpoint never blocks the writer or readers: it copies what no reader still
needs and leaves the rest for the next one. The block's end waits for a last copy and puts
the connection's setting back, so the log does not stay long. Enter it after anything that
closes the connection (`lib/ahead.py` does, before it forks): the setting is the
connection's. On other databases, in memory
and inside a transaction (tests) it does nothing.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection

logger = logging.getLogger(__name__)


def _applies() -> bool:
    return (
        connection.vendor == "sqlite"
        and not connection.is_in_memory_db()  # type: ignore[attr-defined]
        and not connection.in_atomic_block
    )


@contextmanager
def checkpoints_aside() -> Iterator[Callable[[], None]]:
    """A block whose commits leave the write-back to a second connection; yields `nudge`,
    to call after each commit (see the module's docstring)."""
    if not _applies():
        yield lambda: None
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        (before,) = cursor.fetchone()
        cursor.execute("PRAGMA wal_autocheckpoint = 0")
    wanted = threading.Event()
    stopping = threading.Event()
    name = connection.settings_dict["NAME"]

    def write_back() -> None:
        try:
            aside = sqlite3.connect(name, timeout=30, check_same_thread=False)
            try:
                while True:
                    wanted.wait()
                    wanted.clear()
                    aside.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    if stopping.is_set() and not wanted.is_set():
                        return
            finally:
                aside.close()
        except sqlite3.Error:
            # Not the caller's failure: its commits are in the log, and the next commit
            # past the threshold (this connection's, once the block ends) copies them back.
            logger.exception("The write-back beside a long run of commits failed")

    thread = threading.Thread(target=write_back, name="remis-checkpoint", daemon=True)
    thread.start()
    try:
        yield wanted.set
    finally:
        stopping.set()
        wanted.set()
        thread.join()
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(before)}")
