"""Running a job in the worker: claim it, run its kind's function, record the outcome.

A job that raises is marked failed here and the task itself ends normally: the Job row is
the record people read, and the task table would otherwise keep the exception's text and
traceback, which can quote personal values."""

from __future__ import annotations

import logging

from django.utils import timezone, translation

from remis.jobs.models import Job, JobCancelled, JobStatus
from remis.jobs.registry import JobFailed, Outcome, job_kind
from remis.lib.gcpace import fewer_collections
from remis.lib.said import said

logger = logging.getLogger(__name__)


def execute(job_id: int) -> None:
    """Run job `job_id` if it is still queued (a cancelled job, or one another worker took,
    is left alone)."""
    from remis.jobs.actions import recover_interrupted, this_worker

    recover_interrupted()  # a job the worker before this one was killed in the middle of
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), worker=this_worker()
    )
    if not claimed:
        logger.info("job %s not queued any more: skipped", job_id)
        return
    job = Job.objects.select_related("owner").get(pk=job_id)
    # Outcome messages are written once, in the language of the person who reads them.
    # Jobs are batch work: the interpreter collects garbage less often while one runs.
    with translation.override(job.owner_language), fewer_collections():
        _run(job)


def _run(job: Job) -> None:
    kind = job_kind(job.kind)
    try:
        if kind is None:
            raise JobFailed(said("This kind of job is not known to this version of REMIS."))
        outcome = kind.run(job)
    except JobCancelled:
        logger.info("job %s (%s) cancelled while running", job.pk, job.kind)
        return
    except JobFailed as failure:
        _finish(
            job, JobStatus.FAILED, Outcome(failure.message, {"said": failure.said} if failure.said else None)
        )
    except Exception as error:
        # Ids and the exception's class only: its message may quote personal values.
        logger.error("job %s (%s) failed: %s", job.pk, job.kind, type(error).__name__)
        message = said("The job stopped on an unexpected error (%(error)s).", {"error": type(error).__name__})
        _finish(job, JobStatus.FAILED, Outcome(message, {"said": [message.as_data()]}))
    else:
        _finish(job, JobStatus.SUCCEEDED, outcome)


def _finish(job: Job, status: JobStatus, outcome: Outcome) -> None:
    fields: dict = {
        "status": status,
        "finished_at": timezone.now(),
        "outcome": outcome.message[:300],
        "result": outcome.result,
        "done": job.done,
        "total": job.total,
    }
    if status == JobStatus.SUCCEEDED and job.total is not None:
        fields["done"] = job.total
    # Only a running job finishes: one cancelled meanwhile stays cancelled.
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(**fields)
    logger.info("job %s (%s) %s", job.pk, job.kind, status)
