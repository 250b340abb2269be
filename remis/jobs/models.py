"""A background job: one long piece of work run by the worker, with its progress and outcome.

The job row is what people see (the Jobs page, `/api/v1/jobs`); the django-tasks result
(`task_id`) is only the queue's bookkeeping. Job code reports progress with `job.report()`
and ends by returning an `Outcome` (remis/jobs/registry.py) or raising `JobFailed`."""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")  # waiting for the worker to take it
    RUNNING = "running", _("Running")  # the worker is on it; progress moves as it reports
    SUCCEEDED = "succeeded", _("Succeeded")  # finished; the outcome says what it found or did
    FAILED = "failed", _("Failed")  # stopped on an error; the outcome says so without personal data
    CANCELLED = "cancelled", _("Cancelled")  # its owner stopped it; whatever it committed stays


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobCancelled(Exception):
    """Raised by `Job.report` when the job was cancelled while it ran: the job stops there."""


class Job(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=64)  # a code registered in remis/jobs/registry.py
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Ids and codes the job needs, never personal data: the row outlives any erasure.
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)  # None: not known (yet)
    outcome = models.CharField(max_length=300, blank=True)  # a short sentence, no personal data
    result = models.JSONField(null=True, blank=True)  # a summary the job returned, if any
    task_id = models.CharField(max_length=64, blank=True)  # the django-tasks result id
    # "host:pid" of the worker process running it: a running job whose process is gone (the
    # worker killed, the machine restarted) is marked interrupted (actions.recover_interrupted).
    worker = models.CharField(max_length=120, blank=True)
    # The language of the page it was started from ("" before it was kept): the owner reads
    # its outcome and its rows' refusals in it, their account choosing none (a French
    # browser read an import's refusals in English).
    language = models.CharField(max_length=10, blank=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "-created_at"], name="job_owner_recent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid}"

    @property
    def label(self) -> str:
        """The kind's name in the reader's language (its code if no app registers it now)."""
        from remis.jobs.registry import job_kind

        kind = job_kind(self.kind)
        return str(kind.label) if kind else self.kind

    @property
    def outcome_shown(self) -> str:
        """The outcome in the reader's language where the job's kind can say it again
        (registry.JobKind.describe), else as stored."""
        from remis.jobs.registry import outcome_text

        return outcome_text(self)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def owner_language(self) -> str:
        """The language its outcome is written in: its owner's, who reads it."""
        return getattr(self.owner, "preferred_language", "") or self.language or settings.LANGUAGE_CODE

    # How often progress is written at most, unless the job reports that it is done.
    REPORT_INTERVAL = 0.5

    def report(self, done: int, total: int | None = None) -> None:
        """Record progress: `done` items of `total` (None: keep the total known so far).

        Each report is its own short write, committed at once, so the Jobs page shows it
        while the job runs: call it outside any `transaction.atomic()` block of the job
        (inside one it would show only when that commits). Reports closer together than
        REPORT_INTERVAL are kept in memory and only the next one after it is written.
        Raises JobCancelled when the job's owner cancelled it meanwhile."""
        if total is not None:
            self.total = max(total, done)
        elif self.total is not None and done > self.total:
            self.total = done
        self.done = done
        now = time.monotonic()
        last = getattr(self, "_last_report", None)
        finished = self.total is not None and done >= self.total
        if last is not None and now - last < self.REPORT_INTERVAL and not finished:
            return
        self._last_report = now
        fields: dict[str, Any] = {"done": self.done, "total": self.total}
        if not Job.objects.filter(pk=self.pk, status=JobStatus.RUNNING).update(**fields):
            raise JobCancelled(str(self.pk))
