from __future__ import annotations

import pytest

from remis.audit.models import AuditEntry
from remis.jobs import actions
from remis.jobs.maintenance import VERIFY_AUDIT
from remis.jobs.models import Job, JobStatus
from remis.lib.errors import PermissionDenied, ValidationFailed


def test_an_administrator_starts_an_audit_verification_that_is_queued_and_audited(world, olga):
    job = actions.start_job(olga, VERIFY_AUDIT)

    assert job.status == JobStatus.QUEUED
    assert job.owner == olga
    assert job.organisation == world.be_office
    entry = AuditEntry.objects.get(action="job.start", object_id=str(job.pk))
    assert entry.actor == olga
    assert entry.changes["kind"] == [None, VERIFY_AUDIT]


def test_a_counsellor_may_not_verify_the_audit_log_and_nothing_is_written(world, alice):
    before = AuditEntry.objects.count()

    with pytest.raises(PermissionDenied):
        actions.start_job(alice, VERIFY_AUDIT)

    assert not Job.objects.exists()
    assert AuditEntry.objects.count() == before


def test_nobody_starts_a_job_without_being_signed_in(world):
    with pytest.raises(PermissionDenied):
        actions.start_job(None, VERIFY_AUDIT)


def test_an_unknown_kind_is_refused_naming_the_field(world, olga):
    with pytest.raises(ValidationFailed) as refused:
        actions.start_job(olga, "no.such.job")
    assert refused.value.field == "kind"
    # with the kinds she may start: a client had nothing but "unknown" to go on
    assert VERIFY_AUDIT in refused.value.message and "you may start:" in refused.value.message


def test_parameters_a_kind_does_not_take_are_refused(world, olga):
    with pytest.raises(ValidationFailed) as refused:
        actions.start_job(olga, VERIFY_AUDIT, {"case": "x"})
    assert refused.value.field == "params"
    assert not Job.objects.exists()


def test_the_task_is_enqueued_once_the_job_is_committed(world, olga, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        job = actions.start_job(olga, VERIFY_AUDIT)

    job.refresh_from_db()
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert task.task_path == "remis.jobs.tasks.run_job"


def test_another_task_backend_can_run_jobs_at_once(world, olga, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    with django_capture_on_commit_callbacks(execute=True):
        job = actions.start_job(olga, VERIFY_AUDIT)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.task_id
