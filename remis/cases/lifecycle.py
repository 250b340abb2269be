"""The case journey as an explicit state machine: stages, the allowed moves, and guards.

A guard is a predicate that returns the reason a move is refused, or None when allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from remis.cases.models import Case


class Stage(models.TextChoices):
    REGISTERED = "registered", _("Registered")  # registered in the host country
    COUNSELLING = "counselling", _("Counselling")  # pre-departure counselling under way
    RETURN_PLANNED = "return_planned", _("Return planned")  # consented, travel being arranged
    RETURNED = "returned", _("Returned")  # arrived in the country of origin
    RECEPTION = "reception", _("Reception")  # reception assistance on arrival
    ASSESSMENT = "assessment", _("Assessment")  # needs and vulnerability assessment
    PLAN = "plan", _("Reintegration plan")  # plan being built and approved
    ASSISTANCE = "assistance", _("Assistance")  # assistance delivered or referred
    MONITORING = "monitoring", _("Monitoring")  # follow-up visits
    CLOSED = "closed", _("Closed")  # closed with a reason; can be reopened


JOURNEY: tuple[Stage, ...] = (
    Stage.REGISTERED,
    Stage.COUNSELLING,
    Stage.RETURN_PLANNED,
    Stage.RETURNED,
    Stage.RECEPTION,
    Stage.ASSESSMENT,
    Stage.PLAN,
    Stage.ASSISTANCE,
    Stage.MONITORING,
)


class ClosureReason(models.TextChoices):
    COMPLETED = "completed", _("Completed")  # reintegration assistance and monitoring done
    REMIGRATED = "remigrated", _("Re-migrated")  # left the country of origin again
    LOST_CONTACT = "lost_contact", _("Lost contact")  # unreachable for follow-up
    WITHDREW = "withdrew", _("Withdrew")  # the person withdrew from the programme
    DECEASED = "deceased", _("Deceased")
    TRANSFERRED = "transferred", _("Transferred")  # to another programme or organisation


# The allowed forward moves: each stage to the next. Closing is allowed from any open stage
# and reopening returns a closed case to the stage it was closed from; both need a reason.
TRANSITIONS: dict[Stage, tuple[Stage, ...]] = {
    stage: (JOURNEY[i + 1], Stage.CLOSED) if i + 1 < len(JOURNEY) else (Stage.CLOSED,)
    for i, stage in enumerate(JOURNEY)
}
TRANSITIONS[Stage.CLOSED] = ()


def _needs_counselling_and_consent(case: Case) -> str | None:
    if not case.counselling_sessions.exists():
        return str(_("Record at least one counselling session before planning the return."))
    if not case.has_consent("data_processing"):
        return str(_("The returnee's consent to data processing must be recorded first."))
    return None


def _needs_travel_dates(case: Case) -> str | None:
    travel = getattr(case, "travel", None)
    if travel is None or travel.departure_date is None or travel.arrival_date is None:
        return str(_("Record the departure and arrival dates of the return travel first."))
    return None


def _needs_origin_partner(case: Case) -> str | None:
    if not case.has_origin_partner():
        return str(_("A reintegration partner in the country of origin must accept the case first."))
    return None


def _needs_reception(case: Case) -> str | None:
    if getattr(case, "reception", None) is None:
        return str(_("Record the reception on arrival first."))
    return None


GUARDS: dict[Stage, Callable[[Case], str | None]] = {
    Stage.RETURN_PLANNED: _needs_counselling_and_consent,
    Stage.RETURNED: _needs_travel_dates,
    Stage.RECEPTION: _needs_origin_partner,
    Stage.ASSESSMENT: _needs_reception,
}


def next_stages(stage: Stage | str) -> tuple[Stage, ...]:
    return TRANSITIONS[Stage(stage)]


def refusal(case: Case, target: Stage | str) -> str | None:
    """Why `case` cannot move to `target` now, or None if it can."""
    current = Stage(case.stage)
    target = Stage(target)
    if target not in TRANSITIONS[current]:
        return str(
            _("A case in stage “%(current)s” cannot move to “%(target)s”.")
            % {"current": current.label, "target": target.label}
        )
    guard = GUARDS.get(target)
    return guard(case) if guard else None
