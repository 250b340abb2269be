"""The one django-tasks task: run a job by its id. Everything about the job (what to run,
progress, outcome) lives on the Job row, so the queue carries only the id."""

from __future__ import annotations

from django_tasks import task


@task()
def run_job(job_id: int) -> None:
    from remis.jobs.runner import execute

    execute(job_id)
