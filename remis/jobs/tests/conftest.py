"""Job kinds made for the tests, and an administrator who is not a superuser."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from remis.jobs.models import Job
from remis.jobs.registry import JobFailed, JobKind, Outcome, register_job_kind, unregister_job_kind


def _count_to_three(job: Job) -> Outcome:
    for done in range(1, 4):
        job.report(done, 3)
    return Outcome("Counted to three.", {"counted": 3})


def _crash(job: Job) -> Outcome:
    job.report(1, 10)
    # Exception texts can quote personal values: the outcome must not repeat this one.
    raise ValueError("could not parse the name Aminata Diallo")


def _refuse(job: Job) -> Outcome:
    raise JobFailed("Row 12: the programme code is unknown.")


def _refuse_twice(job: Job) -> Outcome:
    from remis.lib.said import said

    raise JobFailed(
        said("The file has no column %(column)s, which is required.", {"column": "category"}),
        said("The file is empty."),
    )


def _note_gc_threshold(job: Job) -> Outcome:
    import gc

    return Outcome("Noted.", {"threshold": gc.get_threshold()[0]})


def _note_language(job: Job) -> Outcome:
    from django.utils import translation

    return Outcome("Noted.", {"language": translation.get_language()})


TEST_KINDS = {
    "test.language": _note_language,
    "test.gc": _note_gc_threshold,
    "test.count": _count_to_three,
    "test.crash": _crash,
    "test.refuse": _refuse,
    "test.refuse_twice": _refuse_twice,
}


@pytest.fixture
def test_kinds() -> Iterator[None]:
    for code, run in TEST_KINDS.items():
        register_job_kind(JobKind(code=code, label=code, run=run, may_start=lambda actor: True))
    yield
    for code in TEST_KINDS:
        unregister_job_kind(code)


@pytest.fixture
def olga(world: Any) -> Any:
    """Administrator of the Belgian office (not a superuser)."""
    from remis.cases.tests.factories import make_user

    return make_user("olga", world.be_office, "administrator", ["BE"])
