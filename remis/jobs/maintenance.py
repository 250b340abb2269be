"""Maintenance jobs the platform itself offers: verifying the audit log's hash chain.

`manage.py verify_audit` does the same from a shell; as a job, an administrator starts it
from the Jobs page and watches it walk a log of millions of entries without holding a
request open."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy, ngettext

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with, has_perm
from remis.audit.chain import verify_chain
from remis.audit.models import AuditEntry
from remis.jobs.models import Job
from remis.jobs.registry import JobKind, Outcome, register_job_kind

VERIFY_AUDIT = "audit.verify_chain"
CHUNK = 2000


def _may_verify(actor: Any) -> bool:
    return bool(actor.is_superuser or has_perm(actor, Perm.AUDIT_VIEW_ALL))


def _audit_organisation(actor: Any) -> int | None:
    grants = grants_with(actor, Perm.AUDIT_VIEW_ALL)
    return grants[0].organisation_id if grants else None


def _entries(job: Job) -> Iterator[AuditEntry]:
    """Every entry in id order, read a chunk at a time by id (each read a complete query,
    so no cursor stays open while progress is written), reporting progress per chunk."""
    total = AuditEntry.objects.count()
    job.report(0, total)
    last_id, seen = 0, 0
    while True:
        chunk = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:CHUNK])
        if not chunk:
            return
        for entry in chunk:
            yield entry
            seen += 1
        last_id = chunk[-1].pk
        job.report(seen)


def verify_audit_chain(job: Job) -> Outcome:
    report = verify_chain(_entries(job))
    result = {
        "verified": report.verified,
        "last_id": report.last_id,
        "last_hash": report.last_hash,
        "broken_at": report.broken_at,
    }
    if not report.ok:
        # What is wrong with the entry (its action, object and hashes) is in the result; the
        # outcome names the entry, which administrators then look up.
        result["problem"] = report.problem
    return Outcome(verified_message(result), result)


def verified_message(result: dict[str, Any]) -> str:
    """The outcome in the active language, from the result (the Jobs page says it again in
    each reader's language: the worker runs in the server's)."""
    count = number_format(result["verified"], force_grouping=True)
    if result.get("broken_at") is None:
        return ngettext(
            "%(count)s entry verified: the chain is intact (last hash %(hash)s).",
            "%(count)s entries verified: the chain is intact (last hash %(hash)s).",
            result["verified"],
        ) % {"count": count, "hash": str(result["last_hash"] or "")[:16] + "…"}
    return ngettext(
        "The chain is broken at entry %(id)s, after %(count)s verified entry.",
        "The chain is broken at entry %(id)s, after %(count)s verified entries.",
        result["verified"],
    ) % {"id": result["broken_at"], "count": count}


def register() -> None:
    register_job_kind(
        JobKind(
            code=VERIFY_AUDIT,
            label=gettext_lazy("Verify the audit log"),
            description=gettext_lazy(
                "Walks the audit log's hash chain and names the first entry that was changed, "
                "added or removed."
            ),
            run=verify_audit_chain,
            describe=verified_message,
            may_start=_may_verify,
            organisation_for=_audit_organisation,
        )
    )
