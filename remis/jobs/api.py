"""/api/v1/jobs: the token owner's jobs (nobody sees another's: 404), and starting one."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, TypeAlias

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from remis.jobs import actions
from remis.jobs.models import Job, JobStatus
from remis.jobs.queries import get_job_for, jobs_for
from remis.lib.api_schema import InputSchema, literal_of
from remis.lib.paging import COUNT_CAP

router = Router(tags=["jobs"])

StatusCode: TypeAlias = literal_of(JobStatus)  # type: ignore[valid-type]


class JobOut(Schema):
    id: uuid.UUID = Field(description="the job's id in URLs")
    kind: str = Field(description="the registered kind's code, e.g. audit.verify_chain")
    label: str
    status: StatusCode
    done: int
    total: int | None = Field(description="null while the job does not know its size")
    outcome: str = Field(
        description="a short sentence when it finished, without personal data, in the request's "
        "language where the kind can say it again"
    )
    result: dict[str, Any] | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_id(obj: Job) -> uuid.UUID:
        return obj.uuid

    @staticmethod
    def resolve_outcome(obj: Job) -> str:
        # In the request's language where the kind can say it again, as the Jobs page does.
        return obj.outcome_shown


class JobPage(Schema):
    items: list[JobOut]
    count: int = Field(description=f"the owner's jobs, counted up to {COUNT_CAP + 1}")
    count_capped: bool
    limit: int
    offset: int


class JobListParams(InputSchema):
    limit: int = Field(25, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


class JobIn(InputSchema):
    kind: str = Field(
        max_length=64,
        description="a registered kind's code (audit.verify_chain, …): an unknown one is refused "
        "naming the kinds the token owner may start",
    )
    params: dict[str, Any] = Field(default_factory=dict)


@router.get("", response=JobPage, summary="List the token owner's jobs, newest first")
def list_jobs(request: HttpRequest, params: Query[JobListParams]) -> dict[str, Any]:
    jobs = jobs_for(request.user)
    count = jobs[: COUNT_CAP + 1].count()
    return {
        "items": list(jobs[params.offset : params.offset + params.limit]),
        "count": count,
        "count_capped": count > COUNT_CAP,
        "limit": params.limit,
        "offset": params.offset,
    }


@router.get("/{job_id}", response=JobOut, summary="One of the token owner's jobs")
def get_job(request: HttpRequest, job_id: uuid.UUID) -> Job:
    return get_job_for(request.user, job_id)


@router.post(
    "",
    response={202: JobOut},
    summary="Start a job of a kind the Jobs page lists (it runs in the background)",
)
def start_job(request: HttpRequest, body: JobIn) -> Status:
    job = actions.start_listed_job(request.user, body.kind, body.params)
    job.refresh_from_db()
    return Status(202, job)
