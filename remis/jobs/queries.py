"""What a person sees of jobs: their own, and nobody else's (another's job is "not found")."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from remis.jobs.models import Job
from remis.jobs.registry import JobKind, job_kinds
from remis.lib.errors import NotFound


def jobs_for(actor: Any) -> QuerySet[Job]:
    """The actor's jobs, newest first; a job whose worker died is marked interrupted first
    (`actions.recover_interrupted`), so the page never polls it for ever."""
    from remis.jobs.actions import recover_interrupted

    if actor is None or not getattr(actor, "is_authenticated", False):
        return Job.objects.none()
    recover_interrupted()
    return Job.objects.filter(owner_id=actor.pk).order_by("-created_at", "-id")


def get_job_for(actor: Any, job_uuid: uuid.UUID | str) -> Job:
    try:
        return jobs_for(actor).get(uuid=job_uuid)
    except (Job.DoesNotExist, ValueError, ValidationError) as missing:
        raise NotFound() from missing


def startable_kinds(actor: Any) -> list[JobKind]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    return [kind for kind in job_kinds() if kind.on_jobs_page and kind.may_start(actor)]
