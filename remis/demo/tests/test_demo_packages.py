"""The demo asks for two report packages, once; the worker builds them."""

from __future__ import annotations

from typing import Any

import pytest

from remis.demo.generator import generate_cases
from remis.demo.packages import request_demo_packages
from remis.demo.world import build_world
from remis.jobs.models import JobStatus
from remis.reports.models import ReportPackage

pytestmark = pytest.mark.django_db


def test_the_demo_asks_for_two_packages_once(settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    build_world()
    generate_cases(120, seed=3)
    with django_capture_on_commit_callbacks(execute=True):
        request_demo_packages()
    packages = list(ReportPackage.objects.order_by("id").select_related("job"))
    assert [(p.kind, p.edition) for p in packages] == [("annual", "public"), ("quarterly", "confidential")]
    assert all(p.job is not None and p.job.status == JobStatus.SUCCEEDED for p in packages)
    assert all(p.xlsx and p.snapshot["sections"] for p in packages)
    request_demo_packages()
    assert ReportPackage.objects.count() == 2
