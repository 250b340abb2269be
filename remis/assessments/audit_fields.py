"""How the assessments app's audit entries read in histories (remis/audit/presentation.py).
Field names are global there, so ours are distinct from the cases app's ("assessment_status",
not "status", which reads as a submission's)."""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.text import format_lazy
from django.utils.translation import gettext as _now
from django.utils.translation import gettext_lazy as _

from remis.assessments.models import AssessmentStatus, Choice, Question
from remis.audit.presentation import ISO_DATE, Shown, choices, register_field, register_object, shown_day
from remis.lib.text import group_separator, labelled, list_separator


def _flags(values: set[Any]) -> dict[Any, Shown]:
    """Proposed, confirmed and declined flags are vulnerability codes: each reads as the
    vulnerability's name, masked like it for readers without its sensitive group (a
    "medical condition" flag tells of a health answer)."""
    from remis.programmes.models import Vulnerability

    codes = {v for v in values if isinstance(v, str)}
    return {v.code: Shown(v.label, v.sensitive_group) for v in Vulnerability.objects.filter(code__in=codes)}


def _instruments(values: set[Any]) -> dict[Any, Shown]:
    """ "needs-vulnerability v1", as logged, reads as the instrument's name and version (a
    value naming no assessment instrument, a monitoring one, stays as logged)."""
    from django.db.models import Q

    from remis.assessments.models import Instrument

    wanted: dict[tuple[str, int], Any] = {}
    for value in values:
        code, _space, number = str(value).rpartition(" v")
        if code and number.isdigit():
            wanted[(code, int(number))] = value
    if not wanted:
        return {}
    query = Q()
    for code, version in wanted:
        query |= Q(code=code, version=version)
    return {
        wanted[(i.code, i.version)]: Shown(
            _now("%(name)s, version %(version)s") % {"name": i.label, "version": i.version}
        )
        for i in Instrument.objects.filter(query)
    }


def _answers(_position: int, value: Any) -> str:
    """A logged set of answers ({question code: answer}) as its reader reads the form: each
    question's text, then the answer's choice labels, Yes or No, the date or the number.
    The answers of sensitive groups are logged apart (`answers_<group>`) and masked whole."""
    if not isinstance(value, dict):
        return str(value)
    questions = {q.code: q for q in Question.objects.filter(code__in=list(value)).order_by("-instrument_id")}
    labels: dict[tuple[str, str], str] = {}
    for choice in Choice.objects.filter(question__code__in=list(value)).select_related("question"):
        labels.setdefault((choice.question.code, choice.code), choice.text)
    texts = []
    for code, answer in value.items():
        question = questions.get(code)
        parts = answer if isinstance(answer, list) else [answer]
        shown = []
        for part in parts:
            if isinstance(part, bool) or (part in ("yes", "no") and (code, part) not in labels):
                yes = part is True or part == "yes"
                shown.append(_now("Yes") if yes else _now("No"))
            elif isinstance(part, int | float) and not isinstance(part, bool):
                shown.append(number_format(part))
            elif isinstance(part, str) and ISO_DATE.fullmatch(part):
                shown.append(shown_day(part))
            else:
                shown.append(labels.get((code, str(part)), str(part)))
        texts.append(labelled(question.text if question else code, list_separator().join(shown)))
    return group_separator().join(texts)


def register() -> None:
    register_object("assessments.assessment", _("Assessment"))
    register_object("assessments.instrument", _("Instrument"))
    register_field("assessment_status", _("Status"), choices(AssessmentStatus))
    register_field("assessed_on", _("Date of the assessment"))
    register_field("instrument", _("Instrument"), _instruments)
    register_field("answers", _("Answers"), part=_answers)
    groups = {
        "health": _("Health"),
        "protection": _("Protection and trafficking"),
        "psychosocial": _("Psychosocial"),
        "identity": _("Identity documents"),
    }
    for group, label in groups.items():
        register_field(f"answers_{group}", format_lazy("{} · {}", _("Answers"), label), part=_answers)
    register_field("proposed_flags", _("Proposed flags"), _flags)
    register_field("confirmed", _("Confirmed flags"), _flags)
    register_field("declined", _("Flags not confirmed"), _flags)
    register_field("revises", _("Revises"))
