"""Asking for a research extract (an audited action), the job that builds it, and who may
read it: the requester only (their scope made it), anyone else gets "not found".

k: the requester chooses it (at least 2, 5 by default), and the extract applies the larger
of it and the strictest small-cell threshold in force among the programmes it spans, so an
extract never protects less than the programmes' published statistics do."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.audit.actions import record
from remis.jobs.registry import JobFailed, JobKind, Outcome, register_job_kind
from remis.lib.countries import country_name, is_country
from remis.lib.errors import PermissionDenied, ValidationFailed
from remis.reports.models import ResearchExtract
from remis.reports.research.anonymity import protect
from remis.reports.research.files import Written, as_csv, as_xlsx, quasi_identifiers, step_names
from remis.reports.research.pseudonyms import key_fingerprint
from remis.reports.research.rows import ExtractFilters, read_returnees

BUILD = "reports.research_extract"
DEFAULT_K, MIN_K, MAX_K = 5, 2, 100
EARLIEST = dt.date(1990, 1, 1)


def may_request(actor: Any) -> bool:
    return bool(grants_with(actor, Perm.RESEARCH_EXTRACT))


def request_extract(
    actor: Any,
    *,
    start: dt.date | None,
    end: dt.date | None,
    programme: int | None = None,
    origin: str = "",
    k: int | None = DEFAULT_K,
) -> ResearchExtract:
    """Check a request, record it (audited) and start the job building it. Raises
    PermissionDenied or ValidationFailed naming every field at fault."""
    from remis.jobs.actions import start_job
    from remis.programmes.queries import visible_programmes

    if not may_request(actor):
        raise PermissionDenied(_("Your role does not give access to research extracts."))
    errors: list[tuple[str | None, str]] = []
    today = timezone.localdate()
    if start is None:
        errors.append(("start", _("Enter the first day.")))
    if end is None:
        errors.append(("end", _("Enter the last day.")))
    if start and end and end < start:
        errors.append(("end", _("The last day comes before the first.")))
    for name, day in (("start", start), ("end", end)):
        if day and not EARLIEST <= day <= today:
            errors.append(
                (name, _("Enter a day from %(first)s to today.") % {"first": date_format(EARLIEST)})
            )
    if programme is not None and not visible_programmes(actor).filter(pk=programme).exists():
        errors.append(("programme", _("Choose a programme you can see.")))
    origin = (origin or "").strip().upper()
    if origin and not is_country(origin):
        errors.append(("origin", _("Choose a country from the list.")))
    if k is None or not MIN_K <= k <= MAX_K:
        errors.append(("k", _("Enter a number from %(low)s to %(high)s.") % {"low": MIN_K, "high": MAX_K}))
    if errors:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=list(errors))
    assert start is not None and end is not None and k is not None
    with transaction.atomic():
        extract = ResearchExtract.objects.create(
            start=start,
            end=end,
            programme_id=programme,
            origin=origin,
            k=k,
            language=translation.get_language() or "en",
            requested_by=actor,
        )
        record(
            actor,
            "reports.research_extract",
            extract,
            changes={
                "start": [None, start.isoformat()],
                "end": [None, end.isoformat()],
                "programme": [None, programme],
                "origin": [None, origin or None],
                "k": [None, k],
            },
        )
        extract.job = start_job(actor, BUILD, {"extract": str(extract.uuid)})
        ResearchExtract.objects.filter(pk=extract.pk).update(job=extract.job)
    return extract


def applied_k(extract: ResearchExtract, programme_ids: set[int]) -> int:
    from remis.programmes.queries import small_cell_threshold

    if not programme_ids:
        return extract.k
    return max(extract.k, small_cell_threshold(timezone.localdate(), programme_ids))


def build_extract(job: Any) -> Outcome:
    extract = ResearchExtract.objects.filter(uuid=job.params.get("extract")).first()
    if extract is None:
        raise JobFailed(_("The extract asked for is no longer there."))
    if not may_request(job.owner):  # the owner's role changed since the request
        raise JobFailed(_("Your role does not give access to research extracts."))
    filters = ExtractFilters(extract.start, extract.end, extract.programme_id, extract.origin)
    job.report(0, 1)
    seen = {"cases": 0}  # chunks of cases read, then one step for the rule and the files

    def progress(done: int, total: int) -> None:
        seen["cases"] = total
        job.report(done, total + 1)

    returnees = read_returnees(job.owner, filters, progress=progress)
    k = applied_k(extract, {r.programme_id for r in returnees})
    protection = protect([quasi_identifiers(r) for r in returnees], k)
    written = [
        Written(r, step) for r, step in zip(returnees, protection.steps, strict=True) if step is not None
    ]
    extract.k_applied = k
    extract.rows_read = len(returnees)
    extract.rows_coarsened = protection.coarsened
    extract.rows_suppressed = protection.suppressed
    with translation.override(extract.language):
        stem = f"research-extract-{extract.uuid}"
        extract.csv.save(f"{stem}.csv", ContentFile(as_csv(written)), save=False)
        xlsx = as_xlsx(
            written, protection_text(extract, protection.by_step()), translation.get_language_bidi()
        )
        extract.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
        extract.save(
            update_fields=["k_applied", "rows_read", "rows_coarsened", "rows_suppressed", "csv", "xlsx"]
        )
        job.report(seen["cases"] + 1, seen["cases"] + 1)
        result = {"extract": str(extract.uuid), "rows": len(written), "suppressed": protection.suppressed}
        message = ready_message(result)
    return Outcome(message, result)


def ready_message(result: dict[str, Any]) -> str:
    """The build's outcome from its result, in the reader's language (the Jobs page says it
    again so: it stayed in English on an Arabic page), each count with its plural."""
    rows = int(result.get("rows") or 0)
    suppressed = int(result.get("suppressed") or 0)
    return _("The extract is ready: %(rows)s. %(suppressed)s") % {
        "rows": ngettext("%(n)s row", "%(n)s rows", rows) % {"n": rows},
        "suppressed": ngettext("%(n)s row was left out.", "%(n)s rows were left out.", suppressed)
        % {"n": suppressed},
    }


def protection_text(extract: ResearchExtract, by_step: Any = None) -> list[tuple[str, str]]:
    """What the extract covers and how it was protected, as the page and the definitions
    sheet state it."""

    text = [
        (_("Arrived"), f"{date_format(extract.start)} – {date_format(extract.end)}"),
        (_("Programme"), extract.programme.name if extract.programme else _("All programmes you see")),
        (_("Country of origin"), country_name(extract.origin) if extract.origin else _("All")),
        (_("Rows"), _("One per returnee of the cases you may read, among those who arrived in the period.")),
        (
            _("Quasi-identifiers"),
            _("Sex × age group × country of origin × host country and programme × month of arrival."),
        ),
        (_("k asked"), str(extract.k)),
    ]
    if extract.k_applied is not None:
        text += [
            (
                _("k applied"),
                _(
                    "%(k)s: the larger of k asked and the strictest small-cell threshold of the programmes "
                    "in the extract. Every combination of the quasi-identifiers in the file is shared by at "
                    "least %(k)s rows."
                )
                % {"k": extract.k_applied},
            ),
            (_("Rows read"), str(extract.rows_read)),
            (_("Rows written"), str((extract.rows_read or 0) - (extract.rows_suppressed or 0))),
            (_("Rows coarsened"), str(extract.rows_coarsened)),
            (_("Rows suppressed (left out)"), str(extract.rows_suppressed)),
        ]
    if by_step:
        for step, name in enumerate(step_names()):
            text.append((_("Rows written by %(step)s") % {"step": name}, str(by_step.get(step, 0))))
    text += [
        (
            _("Never included"),
            _(
                "Names, alternate names, phones, e-mails, addresses, document numbers, dates of birth, "
                "free-text notes, and any field, category, vulnerability or assistance type of a sensitive "
                "group (health, protection and trafficking, psychosocial, identity documents)."
            ),
        ),
        (
            _("Scores"),
            _(
                "The reintegration scores of each round (composite, economic, social and psychosocial "
                "dimensions) are included: they are scores computed from the answers, not fields of the "
                "psychosocial group, whose answers stay out. A score computed from answers of a sensitive "
                "group the requester does not hold is left blank, as their case pages restrict it."
            ),
        ),
        (_("Pseudonym key"), key_fingerprint()),
        (
            _("Limits"),
            _(
                "Not a guarantee against linkage with outside data: the other columns, household "
                "composition and scores are not part of the k rule, and l-diversity is not covered."
            ),
        ),
        (_("Requested by"), extract.requested_by.get_username()),
    ]
    return text


def readable_extracts(actor: Any) -> Any:
    """A requester's own extracts (their scope made them)."""
    return ResearchExtract.objects.filter(requested_by_id=getattr(actor, "pk", None)).select_related(
        "programme", "job", "requested_by"
    )


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    if set(params) != {"extract"} or not ResearchExtract.objects.filter(uuid=params["extract"]).exists():
        raise ValidationFailed(_("Ask for research extracts from the research extracts page."), "extract")
    return params


def register() -> None:
    from django.utils.translation import gettext_lazy

    register_job_kind(
        JobKind(
            code=BUILD,
            label=gettext_lazy("Build a research extract"),
            run=build_extract,
            may_start=may_request,
            describe=ready_message,
            description=gettext_lazy("A pseudonymised, k-anonymous extract of returnees, as CSV and XLSX."),
            clean_params=_clean,
            on_jobs_page=False,
        )
    )
