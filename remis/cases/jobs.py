"""The retention job: anonymises the closed cases whose programme's retention period ran
out (cases/actions/retention.py), with progress. Platform operators start it from the Jobs
page; `manage.py apply_retention` does the same from a scheduler (run it daily)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from remis.accounts.permissions import Perm
from remis.accounts.scope import has_perm
from remis.cases.actions.retention import apply_retention
from remis.jobs.registry import JobKind, Outcome, register_job_kind

RETENTION = "cases.retention"


def _may_start(actor: Any) -> bool:
    return bool(getattr(actor, "is_superuser", False) or has_perm(actor, Perm.PLATFORM_MANAGE))


def outcome_message(counts: dict[str, int]) -> str:
    # Each count with its own plural form ("1 case …; 1 persons erased" read the persons
    # in the cases' form).
    cases = ngettext(
        "%(cases)s case anonymised (its retention period over)",
        "%(cases)s cases anonymised (their retention period over)",
        counts["cases"],
    ) % {"cases": counts["cases"]}
    persons = ngettext("%(persons)s person erased", "%(persons)s persons erased", counts["persons"]) % {
        "persons": counts["persons"]
    }
    return _("%(cases)s; %(persons)s.") % {"cases": cases, "persons": persons}


def run_retention(job: Any) -> Outcome:
    counts = apply_retention(progress=job.report)
    job.report(counts["cases"], counts["cases"])
    return Outcome(outcome_message(counts), counts)


def register() -> None:
    register_job_kind(
        JobKind(
            code=RETENTION,
            label=gettext_lazy("Apply retention periods"),
            description=gettext_lazy(
                "Anonymises the closed cases kept longer than their programme's retention period: "
                "names, contacts, documents, free text and exact dates go; what statistics count stays."
            ),
            run=run_retention,
            may_start=_may_start,
            confirm=gettext_lazy(
                "Anonymise now every closed case kept longer than its retention period? This cannot be "
                "undone."
            ),
            describe=outcome_message,
        )
    )
