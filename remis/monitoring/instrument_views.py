"""The monitoring instruments page: each instrument's versions, their questions and scoring
in the reader's language, and the XLSForm download for field collection in KoBo Collect or
ODK Collect (with the case reference, or the sample ID of a comparison sample)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.accounts.scope import has_perm
from remis.lib.errors import DomainError
from remis.lib.forms import show_refusal
from remis.lib.pages import forbidden
from remis.monitoring import actions
from remis.monitoring.actions import may_change_scoring
from remis.monitoring.configuration import SATISFACTION
from remis.monitoring.forms import ScoringForm
from remis.monitoring.instruments.xlsform import NotExportable, export_xlsform, xlsform_problems
from remis.monitoring.models import Instrument
from remis.monitoring.queries import assistance_type_labels
from remis.monitoring.response_forms import points
from remis.monitoring.responses import definition_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def may_read_instruments(user: object) -> bool:
    """Those who record monitoring, those who configure programmes (a programme's schedule
    names the instrument each round is answered with, so whoever sets it reads what the
    instruments ask), and the platform operator, who records their new versions."""
    return bool(
        getattr(user, "is_superuser", False)
        or has_perm(user, Perm.MONITORING_RECORD)
        or has_perm(user, Perm.PROGRAMME_MANAGE)
        or may_change_scoring(user)  # the platform operator, who records their new versions
    )


def _may_read(request: HttpRequest) -> bool:
    return may_read_instruments(request.user)


@login_required
def instrument_list(request: HttpRequest) -> HttpResponse:
    if not _may_read(request):
        return forbidden(request, _("Your role neither records monitoring nor configures programmes."))
    language = (get_language() or "en")[:2]
    rows = []
    for instrument in Instrument.objects.order_by("code", "-version"):
        definition = definition_of(instrument)
        rows.append(
            {
                "instrument": instrument,
                "title": definition.title.get(language),
                "questions": [(q, q.label.get(language)) for q in definition.questions],
                "dimensions": [(d, d.label.get(language)) for d in definition.dimensions],
                "indicators": len(definition.indicators),
                # Lower bounds on the 0–100 scale every score is shown on (0.5 read as 50), whole
                # as they are set ("≥ 50.0" read as if the decimal mattered).
                "bands": [(_whole(points(b.lower)), b.label.get(language)) for b in definition.bands],
                # A satisfaction answer is about an item of a case's plan: no comparison sample.
                "samples": instrument.code != SATISFACTION,
                "problems": xlsform_problems(definition),
            }
        )
    context = {
        "rows": rows,
        "may_change": may_change_scoring(request.user),
        # The follow-ups list is for readers of cases: the operator's link to it was a 403.
        "may_follow_up": bool(
            getattr(request.user, "is_superuser", False) or has_perm(request.user, Perm.CASE_VIEW)
        ),
    }
    return render(request, "monitoring/instruments.html", context)


@login_required
def instrument_xlsform(request: HttpRequest, code: str, version: int, respondent: str) -> HttpResponse:
    if not _may_read(request):
        return forbidden(request, _("Your role neither records monitoring nor configures programmes."))
    instrument = Instrument.objects.filter(code=code, version=version).first()
    if instrument is None or respondent not in ("case", "sample"):
        raise Http404
    if respondent == "sample" and code == SATISFACTION:
        raise Http404  # every submission of it would be refused: it rates a case's item
    # The satisfaction form asks which kind of assistance the answers are about.
    items = assistance_type_labels() if code == SATISFACTION else None
    try:
        content = export_xlsform(definition_of(instrument), respondent, items)  # type: ignore[arg-type]
    except NotExportable:
        raise Http404 from None  # the page shows the problems instead of a link
    response = HttpResponse(content, content_type=XLSX)
    suffix = "" if respondent == "case" else "-sample"
    response["Content-Disposition"] = f'attachment; filename="{code}-v{version}{suffix}.xlsx"'
    return response


def _whole(shown: str) -> str:
    """ "50" for "50.0" ("50,0"): a bound set whole is written whole."""
    for zero in (".0", ",0"):
        if shown.endswith(zero):
            return shown[: -len(zero)]
    return shown


@login_required
def instrument_scoring(request: HttpRequest, code: str, version: int) -> HttpResponse:
    """A new version of an instrument with other weights or score bands (its questions as
    they are), for the platform operator: the form shows the version's own, to change."""
    if not may_change_scoring(request.user):
        return forbidden(
            request,
            _(
                "Instruments are shared by every organisation: the platform operator records "
                "their new versions."
            ),
        )
    instrument = Instrument.objects.filter(code=code, version=version).first()
    if instrument is None:
        raise Http404
    language = (get_language() or "en")[:2]
    definition = definition_of(instrument)
    form = ScoringForm(request.POST or None, definition=definition, language=language)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.new_scoring_version(request.user, instrument, **form.changes())
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request,
                _(
                    "Version %(version)s is recorded: new responses use it. Responses stored "
                    "earlier keep the version they answered and its scores."
                )
                % {"version": created.version},
            )
            return redirect("instrument_list")
    latest = (
        Instrument.objects.filter(code=code).order_by("-version").values_list("version", flat=True).first()
    )
    return render(
        request,
        "monitoring/instrument_scoring.html",
        {
            "instrument": instrument,
            "title": definition.title.get(language),
            "form": form,
            "outdated": latest != instrument.version,
            "latest": latest,
        },
        status=400 if form.errors else 200,
    )
