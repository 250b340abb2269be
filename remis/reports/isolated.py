"""Runs DuckDB statements in a process of its own: `python isolated.py < job.json`.

Why a process: DuckDB reads a SQLite file with its own copy of the SQLite library. SQLite
locks a database with POSIX advisory locks, which belong to the process, and closing any
descriptor of the file drops every lock the process holds on it. DuckDB closing the file
after a load would therefore drop the locks of REMIS's own SQLite connections in the same
process; another process (the job worker) could then believe it was the last one open,
checkpoint and delete the write-ahead log under them: "disk I/O error" at best, a damaged
database at worst (sqlite.org, "How To Corrupt An SQLite Database File", 2.2.1). A separate
process holds its own locks, and its exit drops only those.

The job, on standard input as JSON: `target` (the DuckDB file to write), `config` (DuckDB's
settings) and `statements` (run in order). Imports nothing of Django's: it needs no settings.
"""

from __future__ import annotations

import json
import sys

import duckdb


def main() -> None:
    job = json.load(sys.stdin)
    db = duckdb.connect(job["target"], config=job["config"])
    try:
        for statement in job["statements"]:
            db.execute(statement)
    finally:
        db.close()


if __name__ == "__main__":
    main()
