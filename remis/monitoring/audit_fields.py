"""How the monitoring audit entries read in histories (remis/audit/presentation.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from remis.audit.presentation import (
    Shown,
    choices,
    described_by_id,
    extend_field,
    register_field,
    register_object,
    register_row_group,
    shown_day,
)
from remis.monitoring.configuration import round_span


def _bands(values: set[Any]) -> dict[Any, Shown]:
    """Score band codes as their labels in the reader's language, from the stored instruments."""
    from remis.monitoring.models import Instrument
    from remis.monitoring.response_forms import language
    from remis.monitoring.responses import definition_of

    labels: dict[str, str] = {}
    for instrument in Instrument.objects.all():
        for band in definition_of(instrument).bands:
            labels.setdefault(band.code, band.label.get(language()))
    return {v: Shown(labels.get(v, str(v))) for v in values}


def _questions(values: set[Any]) -> dict[Any, Shown]:
    """A correction's questions, logged as their codes ("distress, income_covers_needs"), as
    they read in the reader's language, from the stored instruments (newest first)."""
    from remis.monitoring.models import Instrument
    from remis.monitoring.response_forms import language
    from remis.monitoring.responses import definition_of

    labels: dict[str, str] = {}
    position: dict[str, int] = {}  # in the questionnaire's order (logged in the codes' order)
    for instrument in Instrument.objects.order_by("-version", "-pk"):
        definition = definition_of(instrument)
        # A scored question by its indicator's short name ("Income sufficiency"), else by
        # the question itself.
        for indicator in definition.indicators:
            labels.setdefault(indicator.question, indicator.label.get(language()))
        for index, question in enumerate(definition.questions):
            labels.setdefault(question.name, question.label.get(language()))
            position.setdefault(question.name, index)
    separator = pgettext("list separator", "; ")  # the Arabic semicolon in Arabic
    shown: dict[Any, Shown] = {}
    for value in values:
        if isinstance(value, str):
            names = [name.strip() for name in value.split(",") if name.strip()]
            names.sort(key=lambda name: position.get(name, len(position)))
            shown[value] = Shown(separator.join(labels.get(name, name) for name in names))
    return shown


def _instruments(values: set[Any]) -> dict[Any, Shown]:
    """ "code vN" (as responses log their instrument) as the instrument's title and version."""
    from remis.monitoring.models import Instrument
    from remis.monitoring.responses import title_of

    # In the reader's language: the stored title is the English one.
    titles = {f"{i.code} v{i.version}": (title_of(i), i.version) for i in Instrument.objects.all()}
    shown: dict[Any, Shown] = {}
    for value in values:
        if value in titles:
            title, version = titles[value]
            shown[value] = Shown(_("%(title)s, version %(version)s") % {"title": title, "version": version})
    return shown


def _scores(values: set[Any]) -> dict[Any, Shown]:
    """A logged score in [0, 1] ("0.6577") as the pages show scores: 65,8."""
    from remis.monitoring.response_forms import points

    shown: dict[Any, Shown] = {}
    for value in values:
        try:
            shown[value] = Shown(points(value))
        except (TypeError, ValueError):
            continue
    return shown


def _round(position: int, part: Any) -> str:
    """One round of a logged schedule: a programme's rule, [months, window days, instrument]
    ("Round 1: 3 months ± 30 days after arrival"), or a case's round, [round, due day,
    status] ("Round 1: due 1 Mar 2027")."""
    try:
        if isinstance(part, list) and len(part) >= 2 and isinstance(part[1], str) and "-" in part[1]:
            due = shown_day(part[1])
            return str(_("Round %(round)s: due %(day)s") % {"round": part[0], "day": due})
        months, days = (part["months"], part["window_days"]) if isinstance(part, dict) else part[:2]
        return str(
            _("Round %(round)s: %(span)s after arrival")
            % {"round": position, "span": round_span(int(months), int(days))}
        )
    except (KeyError, TypeError, ValueError):
        return str(part)


def _score_groups(entries: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    """A response's composite score and band are computed from every scored answer: readers
    without one of the groups those questions are in read them "Restricted", as the round's
    page does (a correction's history printed "Composite score: 75.3 → 75.2 · Band:
    Sustainable" to an M&E officer the page refused them)."""
    from remis.monitoring.models import Instrument, Response
    from remis.monitoring.responses import definition_of

    ids = [int(i) for i, _changes in entries if i.isdigit()]
    instrument_of = dict(Response.objects.filter(pk__in=ids).values_list("id", "instrument_id"))
    groups: dict[int, str] = {}
    for instrument in Instrument.objects.filter(pk__in=set(instrument_of.values())):
        definition = definition_of(instrument)
        scored = {indicator.question for indicator in definition.indicators}
        held = sorted(
            {q.sensitive_group for q in definition.questions if q.name in scored and q.sensitive_group}
        )
        groups[instrument.pk] = ",".join(held)
    return {str(pk): groups.get(instrument_id, "") for pk, instrument_id in instrument_of.items()}


def register() -> None:
    from remis.monitoring.models import ContactChannel, ContactOutcome, FollowUpStatus, Instrument, VisitMode

    register_object("monitoring.contactattempt", _("Contact attempt"))
    register_object("monitoring.visit", _("Visit"))
    register_object("monitoring.schedulerules", _("Monitoring schedule"))
    register_object("monitoring.response", _("Monitoring response"))
    register_object(
        "monitoring.instrument",
        _("Instrument"),
        described_by_id(Instrument, lambda i: f"{i.code} v{i.version}"),
    )
    extend_field("status", choices(FollowUpStatus), object_types=["monitoring.followup"])
    extend_field("mode", choices(VisitMode))
    extend_field("outcome", choices(ContactOutcome))
    extend_field("instrument", _instruments, _("Instrument"))
    fields: dict[str, tuple[Any, Any]] = {
        "round": (_("Round"), None),
        "attempted_on": (_("Date of the attempt"), None),
        "channel": (_("Channel"), choices(ContactChannel)),
        "visited_on": (_("Date of the visit"), None),
        "lost_after_attempts": (_("Failed attempts before lost"), None),
        "collected_on": (_("Collected on"), None),
        "composite": (_("Composite score"), _scores),
        "band": (_("Band"), _bands),
        "sample_id": (_("Sample ID"), None),
        "scoring": (_("Weights and bounds changed"), None),
        "version": (_("Version"), None),  # an instrument's, a new one of its scoring
        "corrected_questions": (_("Questions whose answers were corrected"), _questions),
        "correction_reason": (_("Why the answers were corrected"), None),
    }
    for name, (label, resolve) in fields.items():
        register_field(name, label, resolve)
    register_row_group("monitoring.response", ["composite", "band"], _score_groups)
    register_field("rounds", _("Rounds"), part=_round)
