"""The runner, called as the worker calls it: progress, outcome, failures, cancellation."""

from __future__ import annotations

import logging

import pytest

from remis.audit.models import AuditEntry
from remis.jobs import actions
from remis.jobs.maintenance import VERIFY_AUDIT
from remis.jobs.models import Job, JobCancelled, JobStatus
from remis.jobs.runner import execute


def test_a_job_records_its_progress_and_outcome(world, alice, test_kinds):
    job = actions.start_job(alice, "test.count")

    execute(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total) == (3, 3)
    assert job.outcome == "Counted to three."
    assert job.result == {"counted": 3}
    assert job.started_at is not None and job.finished_at is not None
    assert job.finished_at >= job.started_at


def test_a_job_runs_in_the_language_it_was_started_in_when_its_owner_chose_none(world, alice, test_kinds):
    """A French browser (no language chosen on the account) read an import's refusals in
    English: the job ran in the site's default language."""
    from django.utils import translation

    assert not alice.preferred_language
    with translation.override("fr"):
        job = actions.start_job(alice, "test.language")
    execute(job.pk)
    job.refresh_from_db()
    assert job.result == {"language": "fr"}
    alice.preferred_language = "ar"  # a language chosen on the account comes first
    alice.save(update_fields=["preferred_language"])
    with translation.override("fr"):
        job = actions.start_job(alice, "test.language")
    execute(job.pk)
    job.refresh_from_db()
    assert job.result == {"language": "ar"}


def test_an_exception_in_a_job_fails_it_with_a_message_that_quotes_nothing(world, alice, test_kinds, caplog):
    job = actions.start_job(alice, "test.crash")

    with caplog.at_level(logging.INFO):
        execute(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "ValueError" in job.outcome
    assert "Aminata" not in job.outcome
    assert job.done == 1  # the progress it made stays visible
    assert job.finished_at is not None
    assert "Aminata" not in caplog.text


def test_a_job_that_refuses_shows_its_own_message(world, alice, test_kinds):
    job = actions.start_job(alice, "test.refuse")

    execute(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.outcome == "Row 12: the programme code is unknown."


def test_a_refusal_given_as_sentences_is_read_in_the_readers_language(world, alice, test_kinds):
    """The outcome is stored in the owner's language when the job runs; the owner reading in
    French or Arabic later read it in English (laid out right to left in Arabic)."""
    from django.utils import translation

    job = actions.start_job(alice, "test.refuse_twice")
    execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.outcome == "The file has no column category, which is required. The file is empty."
    with translation.override("fr"):
        assert job.outcome_shown == (
            "Le fichier n’a pas de colonne category, qui est obligatoire. "
            + translation.gettext("The file is empty.")
        )
    with translation.override("ar"):
        assert "category" in job.outcome_shown and "The file" not in job.outcome_shown
    # A sentence built otherwise (no msgid kept) is shown as it was written.
    plain = actions.start_job(alice, "test.refuse")
    execute(plain.pk)
    plain.refresh_from_db()
    with translation.override("fr"):
        assert plain.outcome_shown == "Row 12: the programme code is unknown."


def test_an_unexpected_error_is_said_in_the_readers_language(world, alice, test_kinds):
    from django.utils import translation

    job = actions.start_job(alice, "test.crash")
    execute(job.pk)
    job.refresh_from_db()
    with translation.override("fr"):
        shown = job.outcome_shown
    assert "ValueError" in shown and shown != job.outcome and "Aminata" not in shown


def test_a_job_of_a_kind_no_longer_registered_fails_instead_of_hanging(world, alice, test_kinds):
    job = actions.start_job(alice, "test.count")
    Job.objects.filter(pk=job.pk).update(kind="gone.away")

    execute(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_a_cancelled_job_never_starts(world, alice, test_kinds):
    job = actions.start_job(alice, "test.count")
    actions.cancel_job(alice, job)

    execute(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.started_at is None
    assert AuditEntry.objects.filter(action="job.cancel", object_id=str(job.pk)).exists()


def test_a_job_runs_only_once_even_if_the_task_is_delivered_twice(world, alice, test_kinds):
    job = actions.start_job(alice, "test.count")
    execute(job.pk)
    Job.objects.filter(pk=job.pk).update(outcome="first run")

    execute(job.pk)

    job.refresh_from_db()
    assert job.outcome == "first run"


def test_a_running_job_stops_at_its_next_report_once_cancelled(world, alice, test_kinds):
    job = actions.start_job(alice, "test.count")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    job.refresh_from_db()
    actions.cancel_job(alice, job)

    with pytest.raises(JobCancelled):
        job.report(1, 3)


def test_only_the_owner_cancels_a_job(world, alice, carol, test_kinds):
    from remis.lib.errors import PermissionDenied

    job = actions.start_job(alice, "test.count")

    with pytest.raises(PermissionDenied):
        actions.cancel_job(carol, job)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED


def test_verifying_the_audit_log_counts_every_entry(world, olga):
    job = actions.start_job(olga, VERIFY_AUDIT)
    entries = AuditEntry.objects.count()

    execute(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total) == (entries, entries)
    assert job.result is not None
    assert job.result["verified"] == entries
    assert job.result["broken_at"] is None
    assert "the chain is intact" in job.outcome
    # The Jobs page says it in each reader's language, though the worker ran in English.
    from django.utils import translation

    from remis.jobs.registry import outcome_text

    with translation.override("fr"):
        assert "la chaîne est intacte" in outcome_text(job), outcome_text(job)


def test_a_broken_chain_is_reported_by_the_entry_it_breaks_at(world, olga, monkeypatch):
    from remis.audit.chain import ChainReport
    from remis.jobs import maintenance

    broken = ChainReport(41, 41, "ab" * 32, broken_at=42, problem="its stored hash is not …")
    monkeypatch.setattr(maintenance, "verify_chain", lambda entries: broken)
    job = actions.start_job(olga, VERIFY_AUDIT)

    execute(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED  # the verification ran; what it found is the outcome
    assert "broken at entry 42" in job.outcome
    from remis.jobs.registry import outcome_text

    assert "broken at entry 42" in outcome_text(job)
    assert job.result is not None
    assert job.result["broken_at"] == 42 and job.result["problem"]


def test_a_job_runs_with_fewer_garbage_collections_and_the_worker_gets_its_own_back(world, alice, test_kinds):
    import gc

    from remis.lib.gcpace import BATCH_THRESHOLD

    before = gc.get_threshold()
    job = actions.start_job(alice, "test.gc")

    execute(job.pk)

    job.refresh_from_db()
    assert job.result == {"threshold": max(BATCH_THRESHOLD, before[0])} and BATCH_THRESHOLD > before[0]
    assert gc.get_threshold() == before


@pytest.mark.django_db
def test_a_finished_jobs_outcome_is_said_in_the_readers_language(world, alice):
    """The retention job runs on a schedule, in the server's language: its outcome read
    "0 cases anonymised…" in English on French and Arabic pages. Kinds that can say it
    again from their result do; others show the sentence stored."""
    from django.utils import translation

    from remis.cases.jobs import RETENTION

    job = Job.objects.create(
        kind=RETENTION,
        owner=alice,
        status=JobStatus.SUCCEEDED,
        outcome="2 cases anonymised (their retention period over); 3 persons erased.",
        result={"cases": 2, "persons": 3},
    )
    with translation.override("fr"):
        assert job.outcome_shown.startswith("2 dossiers anonymisés")
    with translation.override("en"):
        assert job.outcome_shown == job.outcome
    unknown = Job.objects.create(
        kind="no.such.kind", owner=alice, status=JobStatus.SUCCEEDED, outcome="Done."
    )
    assert unknown.outcome_shown == "Done."


def test_the_retention_outcome_says_each_count_in_its_own_plural() -> None:
    """ "1 case anonymised …; 1 persons erased": the persons took the cases' form."""
    from remis.cases.jobs import outcome_message

    assert outcome_message({"cases": 1, "persons": 1}) == (
        "1 case anonymised (its retention period over); 1 person erased."
    )
    assert outcome_message({"cases": 2, "persons": 1}).endswith("; 1 person erased.")


def test_a_job_whose_worker_was_killed_is_marked_interrupted_and_one_still_running_is_not(
    world, alice, test_kinds, client
):
    """The worker killed in the middle of an import: the job read "Running" for ever, its page
    polled, and "Run again" was never offered."""
    import socket
    import subprocess

    gone = subprocess.Popen(["true"])  # noqa: S607 - a process that has ended, for its number
    gone.wait()
    host = socket.gethostname()
    killed = actions.start_job(alice, "test.count")
    alive = actions.start_job(alice, "test.count")
    Job.objects.filter(pk=killed.pk).update(status=JobStatus.RUNNING, worker=f"{host}:{gone.pid}")
    Job.objects.filter(pk=alive.pk).update(status=JobStatus.RUNNING, worker=actions.this_worker())
    client.force_login(alice)
    page = client.get("/jobs/")
    assert page.status_code == 200 and "Interrupted: the worker running it stopped" in page.text
    killed.refresh_from_db()
    alive.refresh_from_db()
    assert killed.status == JobStatus.FAILED and killed.finished_at is not None
    assert alive.status == JobStatus.RUNNING
    entry = AuditEntry.objects.get(action="job.interrupted")
    assert entry.object_id == str(killed.pk)
    assert actions.recover_interrupted() == 0  # once


def test_the_runner_records_which_worker_runs_a_job(world, alice, test_kinds):
    job = actions.start_job(alice, "test.count")
    execute(job.pk)
    job.refresh_from_db()
    assert job.worker == actions.this_worker()
