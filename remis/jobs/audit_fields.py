"""How the background jobs' audit entries read in the audit search: a job by its kind's
name, its status in words, its parameters as "name: value" (they read "jobs.job #7",
"Kind: reports.research_extract", "params: {'extract': '…'}")."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from remis.audit.presentation import Shown, choices, extend_field, register_field, register_object


def _kinds(values: set[Any]) -> dict[Any, Shown]:
    from remis.jobs.registry import job_kind

    shown = {}
    for value in values:
        kind = job_kind(str(value)) if isinstance(value, str) else None
        if kind is not None:
            shown[value] = Shown(str(kind.label))
    return shown


def _params(position: int, value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in sorted(value.items()))
    return str(value)


def register() -> None:
    from remis.jobs.models import JobStatus

    register_object("jobs.job", _("Background job"))
    extend_field("kind", _kinds)
    extend_field("status", choices(JobStatus), object_types=["jobs.job"])
    register_field("params", _("Parameters"), None, part=_params)
