"""A real job through the real worker: `manage.py db_worker` in its own process, on the test
database, takes the queued task, runs the job and records its progress and outcome."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest
from django.db import connection

from remis.audit.models import AuditEntry
from remis.jobs import actions
from remis.jobs.maintenance import VERIFY_AUDIT
from remis.jobs.models import Job, JobStatus
from remis.jobs.tests.worker_process import ROOT, manage, process_env


@pytest.fixture
def worker(parallel_db, tmp_path):
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            manage("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"),
            cwd=ROOT,
            env=process_env(connection),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process, log
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        connection.close()  # the worker may have held locks this connection waited on


def _wait_for_end(job: Job, process: subprocess.Popen, log, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            return job
        if process.poll() is not None:
            pytest.fail(f"the worker exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    pytest.fail(f"the job was still {job.status} after {seconds} s:\n{log.read_text()[-3000:]}")


def test_the_worker_runs_a_queued_job_and_records_progress_and_outcome(parallel_db, worker, world):
    process, log = worker
    admin = world.admin
    entries = AuditEntry.objects.count()
    assert entries > 0

    job = actions.start_job(admin, VERIFY_AUDIT)  # committed: enqueued on commit
    job.refresh_from_db()
    assert job.task_id, "the task was not enqueued"

    job = _wait_for_end(job, process, log)

    assert job.status == JobStatus.SUCCEEDED, job.outcome
    # The job's own audit entry ("job.start") is in the log it verified.
    assert job.total is not None and job.total >= entries
    assert job.done == job.total
    assert job.result is not None
    assert job.result["verified"] == job.total
    assert "the chain is intact" in job.outcome
    assert job.started_at is not None and job.finished_at is not None


def test_the_worker_stops_cleanly_on_sigterm(parallel_db, worker):
    process, log = worker
    deadline = time.monotonic() + 60
    while "Starting worker" not in log.read_text():  # its signal handlers are set by then
        assert time.monotonic() < deadline and process.poll() is None, log.read_text()[-3000:]
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
