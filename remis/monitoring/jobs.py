"""The monitoring jobs, run by the jobs app's worker with progress: rescoring stored
responses (after a scoring fix) instrument version by version."""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from remis.accounts.permissions import Perm
from remis.accounts.scope import has_perm
from remis.jobs.registry import JobKind, Outcome, register_job_kind
from remis.lib.errors import ValidationFailed

RESCORE = "monitoring.rescore"


def _may_rescore(actor: Any) -> bool:
    """Instruments are shared by every organisation and a run rewrites every one of their
    responses (and counts them all): the platform operator's work, not one organisation's
    programme manager's."""
    return bool(actor.is_superuser or has_perm(actor, Perm.PLATFORM_MANAGE))


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    from remis.monitoring.models import Instrument

    unknown = set(params) - {"instrument"}
    if unknown:
        raise ValidationFailed(_("Unknown parameter: %(name)s.") % {"name": sorted(unknown)[0]}, "params")
    code = str(params.get("instrument") or "")
    if code and not Instrument.objects.filter(code=code).exists():
        raise ValidationFailed(_("Choose an instrument REMIS knows."), "instrument")
    return {"instrument": code} if code else {}


def rescore_responses(job: Any) -> Outcome:
    from remis.monitoring.models import Instrument, Response
    from remis.monitoring.responses import rescore

    instruments = Instrument.objects.order_by("code", "version")
    if job.params.get("instrument"):
        instruments = instruments.filter(code=job.params["instrument"])
    chosen = list(instruments)
    total = Response.objects.filter(instrument__in=chosen).count()
    job.report(0, total)
    done = 0
    for instrument in chosen:
        base = done
        done += rescore(instrument, progress=lambda n, _t, base=base: job.report(base + n))
    job.report(done, total)
    # One entry for the run (scores are derived values; the responses' answers are unchanged):
    # it also tells the reports' analytics copy to read every score again.
    from remis.audit.actions import record

    record(
        job.owner,
        RESCORE,
        job,
        changes={"instruments": [None, [f"{i.code} v{i.version}" for i in chosen]], "rescored": [None, done]},
    )
    result = {"rescored": done, "instruments": [f"{i.code} v{i.version}" for i in chosen]}
    return Outcome(rescored_message(result), result)


def rescored_message(result: dict[str, Any]) -> str:
    """The outcome, from the job's result (the Jobs page says it in the reader's language)."""
    return _("%(count)s responses rescored, each with its own instrument version.") % {
        "count": number_format(result["rescored"], force_grouping=True)
    }


def register() -> None:
    register_job_kind(
        JobKind(
            code=RESCORE,
            label=gettext_lazy("Rescore monitoring responses"),
            confirm=gettext_lazy(
                "Recompute the scores of every monitoring response now? It can take several minutes."
            ),
            description=gettext_lazy(
                "Recomputes the reintegration scores of every stored response with the scoring "
                "of the instrument version it answered."
            ),
            run=rescore_responses,
            may_start=_may_rescore,
            describe=rescored_message,
            clean_params=_clean,
        )
    )
