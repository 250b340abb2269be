"""Starting and cancelling jobs: permission-checked, audited, queued after commit."""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from remis.audit.actions import record
from remis.jobs.models import ACTIVE_STATUSES, Job, JobStatus
from remis.jobs.registry import job_kind, job_kinds
from remis.lib.errors import PermissionDenied, ValidationFailed

logger = logging.getLogger(__name__)


def start_listed_job(actor: Any, kind: str, params: dict[str, Any] | None = None) -> Job:
    """Start a job from the Jobs page or `POST /jobs`: only the kinds listed there. The others
    work on a record of their owner's (an upload, an export, a report package), which only
    their own page or endpoint checks is the actor's: started here with another user's id, an
    export was refilled with the starter's cases and an import's refused rows read."""
    spec = job_kind(kind)
    if spec is not None and not spec.on_jobs_page:
        raise ValidationFailed(
            _("“%(kind)s” jobs are started from their own page, not from the list of jobs.")
            % {"kind": spec.code},
            "kind",
        )
    return start_job(actor, kind, params, listed=True)


def start_job(actor: Any, kind: str, params: dict[str, Any] | None = None, *, listed: bool = False) -> Job:
    """Queue a job of `kind` for `actor`, who owns it and alone sees it. The task is enqueued
    once the job row is committed, so the worker always finds the row it is given."""
    spec = job_kind(kind)
    if spec is None:
        # Named with the kinds the actor may start: the API's schema cannot list them (they
        # are registered by each app at start-up), and "unknown" alone left a client guessing.
        mine = sorted(
            k.code
            for k in job_kinds()
            if actor is not None and k.may_start(actor) and (k.on_jobs_page or not listed)
        )
        raise ValidationFailed(
            _("Unknown kind of job “%(kind)s”; you may start: %(kinds)s.")
            % {"kind": kind[:64], "kinds": ", ".join(mine) or _("none")},
            "kind",
        )
    if actor is None or not getattr(actor, "is_authenticated", False) or not spec.may_start(actor):
        raise PermissionDenied(_("You may not start this kind of job."))
    cleaned = spec.clean_params(dict(params or {}))
    with transaction.atomic():
        job = Job.objects.create(
            kind=spec.code,
            owner=actor,
            organisation_id=spec.organisation_for(actor),
            params=cleaned,
            language=translation.get_language() or "",
        )
        record(
            actor,
            "job.start",
            job,
            changes={"kind": [None, job.kind], "params": [None, cleaned] if cleaned else [None, None]},
            organisation_id=job.organisation_id,
        )
        transaction.on_commit(lambda: enqueue(job))
    return job


def enqueue(job: Job) -> None:
    """Hand the job to the task backend and keep the task's id on the job."""
    from remis.jobs.tasks import run_job

    result = run_job.enqueue(job.pk)
    job.task_id = str(result.id)
    Job.objects.filter(pk=job.pk).update(task_id=job.task_id)


def cancel_job(actor: Any, job: Job) -> Job:
    """Cancel a queued or running job of the actor's. A queued job never starts; a running
    one stops at its next progress report. What it committed before stays."""
    if job.owner_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the person who started a job can cancel it."))
    with transaction.atomic():
        previous = job.status
        changed = Job.objects.filter(pk=job.pk, status__in=ACTIVE_STATUSES).update(
            status=JobStatus.CANCELLED, finished_at=timezone.now(), outcome=_("Cancelled.")
        )
        if not changed:
            raise ValidationFailed(_("This job has already finished."), "status")
        record(
            actor,
            "job.cancel",
            job,
            changes={"status": [previous, JobStatus.CANCELLED.value]},
            organisation_id=job.organisation_id,
        )
    job.refresh_from_db()
    return job


def withdraw_quoted_rows(job: Job) -> None:
    """Clear the refused rows a job's result quotes (an import's, which name people), saying
    so (`problems_withdrawn`): its file was withdrawn by an erasure, and the rows stayed
    readable on its page and in `/api/v1/jobs`. Its counts stay."""
    result = job.result or {}
    if result.get("problems"):
        job.result = {**result, "problems": [], "problems_withdrawn": True}
        job.save(update_fields=["result"])


def this_worker() -> str:
    """The running process as a job's `worker`: "host:pid"."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal sent: only whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process of that number
    return True


def recover_interrupted() -> int:
    """Mark failed, as interrupted, the running jobs whose worker process on this machine is
    gone (killed, or the machine restarted): they stayed "running" for ever, their page
    polling, and "Run again" was never offered. What they committed stays; an import run
    again ends as an uninterrupted run would. Jobs run on another machine are left to it."""
    from remis.accounts.system import system_actor

    host = socket.gethostname()
    running = Job.objects.filter(status=JobStatus.RUNNING, worker__startswith=f"{host}:").select_related(
        "owner"
    )
    ended = 0
    for job in running:
        pid = job.worker.rsplit(":", 1)[-1]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        with translation.override(job.owner_language):
            outcome = _(
                "Interrupted: the worker running it stopped. What it had done is kept; run it again "
                "to finish (nothing is done twice)."
            )
        with transaction.atomic():
            changed = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, worker=job.worker).update(
                status=JobStatus.FAILED, finished_at=timezone.now(), outcome=outcome[:300]
            )
            if changed:
                record(
                    system_actor(),
                    "job.interrupted",
                    job,
                    changes={"status": [JobStatus.RUNNING.value, JobStatus.FAILED.value]},
                    organisation_id=job.organisation_id,
                )
                logger.warning("job %s (%s) interrupted: its worker %s is gone", job.pk, job.kind, job.worker)
                ended += 1
    return ended
