"""An import killed with SIGKILL halfway (the reliability suite, issue 13): `manage.py
import_records` in its own process on the test database, killed outright once it is well
into the file (no exception handler, no clean-up runs), then run again. It must end exactly
as an uninterrupted run ends: every row saved once, with its own reference, one audit entry
per record, the audit chain intact. Killed in all-or-nothing mode, it leaves nothing."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from remis.audit.chain import verify_chain
from remis.audit.models import AuditEntry
from remis.cases.models import Case, CaseAccess, Person
from remis.cases.tests.factories import make_user
from remis.cases.tests.import_files import case_row, cases_csv
from remis.jobs.tests.worker_process import ROOT, manage, process_env

ROWS = 4500  # three chunks of at most 2,000 rows (interop/importing.py)


def _command(path: Path, mode: str) -> list[str]:
    return manage(
        "import_records", str(path), "--records", "cases", "--organisation", "IOM Belgium", "--user", "paula",
        "--for-real", "--mode", mode,
    )  # fmt: skip


def _rows_read(log: Path) -> int:
    counts = re.findall(r"([\d,]+) rows read", log.read_text(errors="replace"))
    return int(counts[-1].replace(",", "")) if counts else 0


def _pause(seconds: float) -> bool:
    time.sleep(seconds)
    return True


def _kill_when(process: subprocess.Popen[bytes], ready: Callable[[], bool], log: Path) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"the import ended (exit {process.returncode}) before it was killed:\n{log.read_text()}"
            )
        if ready():
            process.send_signal(signal.SIGKILL)
            process.wait()
            return
        time.sleep(0.05)
    process.kill()
    pytest.fail("the import never got far enough to be killed")


@pytest.fixture
def file(parallel_db: Any, world: Any, tmp_path: Path) -> Path:
    make_user("paula", world.be_office, "programme_manager", ["BE"])
    path = tmp_path / "cases.csv"
    rows = [case_row(external_id=f"OLD-{i}", given_name=f"Given{i}") for i in range(ROWS)]
    path.write_bytes(cases_csv(rows).getvalue())
    return path


def _start(path: Path, mode: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            _command(path, mode), cwd=ROOT, env=process_env(connection), stdout=out, stderr=subprocess.STDOUT
        )


def _run_to_the_end(path: Path, mode: str) -> str:
    done = subprocess.run(
        _command(path, mode),
        cwd=ROOT,
        env=process_env(connection),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _as_if_uninterrupted() -> None:
    assert Case.objects.count() == ROWS and Person.objects.count() == ROWS
    ids = set(CaseAccess.objects.values_list("external_id", flat=True))
    assert ids == {f"OLD-{i}" for i in range(ROWS)}
    given = dict(CaseAccess.objects.values_list("external_id", "case__members__person__given_name"))
    assert all(given[f"OLD-{i}"] == f"Given{i}" for i in range(ROWS))
    # No reference lost or taken twice: the killed chunk's counter went back with its rows.
    references = set(Case.objects.values_list("reference", flat=True))
    assert references == {f"GIN-2010-{n:06d}" for n in range(1, ROWS + 1)}
    assert AuditEntry.objects.filter(action="case.import").count() == ROWS
    assert verify_chain().ok


def test_a_valid_rows_import_killed_halfway_then_run_again_ends_as_one_uninterrupted_run(
    file: Path, tmp_path: Path
) -> None:
    log = tmp_path / "killed.log"
    process = _start(file, "valid_rows", log)
    _kill_when(process, lambda: Case.objects.exists(), log)  # a first chunk is saved
    connection.close()  # a fresh connection sees what the killed process committed
    saved = Case.objects.count()
    assert 0 < saved < ROWS and saved % 2000 == 0, saved  # whole chunks only
    out = _run_to_the_end(file, "valid_rows")
    assert f"added {ROWS - saved:,}" in out, out
    _as_if_uninterrupted()


def test_an_all_or_nothing_import_killed_halfway_leaves_nothing_then_runs_whole(
    file: Path, tmp_path: Path
) -> None:
    log = tmp_path / "killed.log"
    process = _start(file, "all_or_nothing", log)
    # Into the writing pass: every row checked (the first pass's progress), then a moment
    # into the one transaction that writes them (several seconds for this many rows).
    _kill_when(process, lambda: _rows_read(log) >= ROWS and _pause(1.0), log)
    connection.close()
    assert not Case.objects.exists() and not Person.objects.exists()
    assert not AuditEntry.objects.filter(action="case.import").exists()
    assert f"added {ROWS:,}" in _run_to_the_end(file, "all_or_nothing")
    _as_if_uninterrupted()
