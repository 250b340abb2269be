"""The kinds of job REMIS can run, registered by the apps that own the work.

An app registers its job kinds from its `AppConfig.ready()` (`register_job_kind`): the code,
a label, the function the worker runs and who may start it. The jobs app runs whatever is
registered and imports none of those apps, so imports, report packages, rescoring, webhooks
and retention add their jobs without the jobs app knowing them.

The function takes the `Job` (its `params` hold ids and codes), reports progress with
`job.report(done, total)`, and returns an `Outcome`. To fail with a message the owner may
read, it raises `JobFailed`; any other exception fails the job with a generic message
naming only the exception's class, as exception texts can quote personal values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

from remis.accounts.scope import organisation_ids
from remis.lib.said import as_data, said_again

if TYPE_CHECKING:
    from remis.jobs.models import Job


@dataclass(frozen=True)
class Outcome:
    """What a finished job says: a short sentence without personal data, and an optional
    JSON summary for the API and for later display."""

    message: str
    result: dict[str, Any] | None = None


class JobFailed(Exception):
    """A failure the job's code describes itself; `message` is shown to the owner as it is,
    so it must hold no personal data. Given as `lib.said` sentences (one, or several
    joined), it is said again in each reader's language."""

    def __init__(self, message: str, *more: str) -> None:
        parts = [message, *more]
        text = " ".join(str(part) for part in parts)  # a lazy sentence too
        super().__init__(text)
        self.message = text
        self.said = as_data(parts)


def _no_params(params: dict[str, Any]) -> dict[str, Any]:
    from django.utils.translation import gettext as _

    from remis.lib.errors import ValidationFailed

    if params:
        raise ValidationFailed(_("This kind of job takes no parameters."), "params")
    return {}


def _first_organisation(actor: Any) -> int | None:
    ids = organisation_ids(actor)
    return ids[0] if ids else None


@dataclass(frozen=True)
class JobKind:
    code: str
    label: str | Promise
    run: Callable[[Job], Outcome]
    may_start: Callable[[Any], bool]  # the actor: whether they may start one
    description: str | Promise = ""
    # Checks and normalises the parameters given at start (raise ValidationFailed).
    clean_params: Callable[[dict[str, Any]], dict[str, Any]] = field(default=_no_params)
    # The organisation the job is done for (shown in the audit log).
    organisation_for: Callable[[Any], int | None] = field(default=_first_organisation)
    # False: started from the owning app's page (an import needs its file), not the Jobs page.
    on_jobs_page: bool = True
    # The outcome said again from the job's result in the reader's language: the sentence
    # stored is in the language the job ran in (a scheduled job: the server's).
    describe: Callable[[dict[str, Any]], str] | None = None
    # Asked before starting it from the Jobs page, for work that cannot be undone or that
    # touches every record ("" starts at once).
    confirm: str | Promise = ""
    # What the job is about, for its owner on the Jobs page: (text, address of its page),
    # None when it has none (every import read "Import records", with nothing to tell
    # which file, nor a way to its report).
    subject: Callable[[Job], tuple[str, str] | None] | None = None


def job_subject(job: Job) -> tuple[str, str] | None:
    kind = _kinds.get(job.kind)
    if kind is None or kind.subject is None:
        return None
    return kind.subject(job)


def outcome_text(job: Job) -> str:
    """A finished job's outcome in the active language when its kind can say it again from
    its result, or its failure was given as `lib.said` sentences (the runner keeps them),
    else the sentence stored when it ran."""
    from remis.jobs.models import JobStatus

    if job.status == JobStatus.FAILED and isinstance(job.result, dict):
        again = said_again(job.result.get("said"))
        if again is not None:
            return again
    kind = _kinds.get(job.kind)
    if kind is not None and kind.describe is not None and job.result and job.status == JobStatus.SUCCEEDED:
        try:
            return kind.describe(job.result)
        except (KeyError, TypeError, ValueError):  # a result of an older shape
            pass
    return str(job.outcome)


_kinds: dict[str, JobKind] = {}


def register_job_kind(kind: JobKind) -> None:
    """Register from an AppConfig.ready(). Registering the same code twice with another
    function is a mistake (two apps claiming one code)."""
    known = _kinds.get(kind.code)
    if known is not None and known.run is not kind.run:
        raise ValueError(f"job kind {kind.code!r} is already registered")
    _kinds[kind.code] = kind


def unregister_job_kind(code: str) -> None:
    """For tests that register a kind of their own."""
    _kinds.pop(code, None)


def job_kind(code: str) -> JobKind | None:
    return _kinds.get(code)


def job_kinds() -> list[JobKind]:
    return sorted(_kinds.values(), key=lambda k: k.code)
