"""How the assessments app's audit entries read in histories (remis/audit/presentation.py).
Field names are global there, so ours are distinct from the cases app's ("assessment_status",
not "status", which reads as a submission's)."""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from remis.assessments.models import AssessmentStatus
from remis.audit.presentation import choices, register_field, register_object


def register() -> None:
    register_object("assessments.assessment", _("Assessment"))
    register_object("assessments.instrument", _("Instrument"))
    register_field("assessment_status", _("Status"), choices(AssessmentStatus))
    register_field("assessed_on", _("Date of the assessment"))
    register_field("instrument", _("Instrument"))
    register_field("answers", _("Answers"))
    groups = {
        "health": _("Health"),
        "protection": _("Protection and trafficking"),
        "psychosocial": _("Psychosocial"),
        "identity": _("Identity documents"),
    }
    for group, label in groups.items():
        register_field(f"answers_{group}", format_lazy("{} · {}", _("Answers"), label))
    register_field("proposed_flags", _("Proposed flags"))
    register_field("confirmed", _("Confirmed flags"))
    register_field("declined", _("Flags not confirmed"))
    register_field("revises", _("Revises"))
