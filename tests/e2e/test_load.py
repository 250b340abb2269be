"""The load benchmark's short, bounded run (`bench/load.py`): the production server
(`bin/serve`: gunicorn, DEBUG off) over a small demo dataset of its own, signed in through
the pages with a password and an authenticator code, and several client processes at once
reading cases through the API and the page and adding notes, for a few seconds. Asserts that
no request failed, that every case read went into the read log and every note was saved
once; the speeds are the benchmark's business (`docs/benchmarks.md`), never asserted here.

With the browser journeys, so on SQLite only: it runs its own server on its own database
file, and the PostgreSQL pass would run the same thing again."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
COUNT = """
from remis.audit.models import CaseRead
from remis.cases.models import Note
print("COUNT", CaseRead.objects.count(), Note.objects.count())
"""


def _bench() -> ModuleType:
    """bench/load.py, importable by name: its client processes are spawned and import it."""
    if str(ROOT / "bench") not in sys.path:
        sys.path.insert(0, str(ROOT / "bench"))
    return importlib.import_module("load")


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _counts(env: dict[str, str]) -> tuple[int, int]:
    line = next(x for x in _manage(env, "shell", "-c", COUNT).splitlines() if x.startswith("COUNT "))
    reads, notes = line.split()[1:]
    return int(reads), int(notes)


def test_mixed_case_reads_and_notes_under_load_all_succeed_and_are_logged(tmp_path: Path) -> None:
    load = _bench()
    port = load.free_port()
    env = load.server_env(tmp_path, port, workers=3)
    env.pop("DATABASE_URL", None)  # its own SQLite file under tmp_path, whatever the suite runs on
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "load_demo", "--cases", "150")
    server = load.start_server(env, tmp_path / "serve.log")
    try:
        data = load.prepare(env, "counsellor.be", limit=300)
        session = load.sign_in(f"http://127.0.0.1:{port}", "counsellor.be", "remis-demo-2026", data["secret"])
        reads_before, notes_before = _counts(env)
        plan = load.Plan("127.0.0.1", port, data["token"], session, data["cases"], 12, 0.2, 7)
        result = load.run(plan, 3, server.pid)
    finally:
        load.stop_server(server)
    assert result.errors() == 0, load.report(result)
    kinds = Counter(load.KINDS[kind] for kind, *_ in result.samples)
    assert set(kinds) == set(load.KINDS), kinds  # each kind of request was made
    reads_after, notes_after = _counts(env)
    # Each case read (page or API) wrote its read-log row; each note is there once.
    assert reads_after - reads_before == kinds["api_read"] + kinds["page_read"]
    assert notes_after - notes_before == kinds["note_write"]
    assert result.memory and all(mb > 0 for _, mb in result.memory), json.dumps(result.memory)
