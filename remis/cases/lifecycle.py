"""The case journey as an explicit state machine: stages, the allowed moves, and guards.

A guard is a predicate that returns the reason a move is refused, or None when allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
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

# The stages of a person who has arrived in the country of origin.
RETURNED_STAGES = frozenset(JOURNEY[JOURNEY.index(Stage.RETURNED) :])


def has_returned(stage: str, stage_before_closure: str = "") -> bool:
    """Whether the person arrived: a stage from "returned" on, or a case closed from one
    (as the statistics count returns)."""
    return stage in RETURNED_STAGES or (stage == Stage.CLOSED and stage_before_closure in RETURNED_STAGES)


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
    if travel.arrival_date > timezone.localdate():
        # Returned before the arrival planned: the reception, dated today, was then refused
        # as before the arrival, and the follow-ups counted from a day to come.
        return str(
            _("The arrival is planned for %(day)s: the case is returned once the returnee has arrived.")
            % {"day": date_format(travel.arrival_date, "SHORT_DATE_FORMAT")}
        )
    if travel.medical_fitness == "unfit":
        # A returnee found not fit to travel was moved to "Returned" without a word: either
        # the trip did not take place, or a later assessment cleared them, and says so.
        return str(
            _(
                "The returnee is recorded as not fit to travel: record the later fitness "
                "assessment in the return travel before marking the return."
            )
        )
    return None


def _needs_origin_partner(case: Case) -> str | None:
    from remis.lib.countries import country_name
    from remis.programmes.queries import origin_partners

    if case.has_origin_partner():
        return None
    if not origin_partners(case.programme, case.origin_country).exists():
        # Said as what to do: the case waited for a partner the programme does not have.
        return str(
            _(
                "The programme has no reintegration partner in %(country)s: a programme manager "
                "adds one on the programme's page, then the case is submitted to it."
            )
            % {"country": country_name(case.origin_country)}
        )
    return str(_("A reintegration partner in the country of origin must accept the case first."))


def _needs_reception(case: Case) -> str | None:
    if getattr(case, "reception", None) is None:
        return str(_("Record the reception on arrival first."))
    return None


Guard = Callable[["Case"], str | None]
StageHook = Callable[[Any, "Case"], None]

# Guards per target stage, in the order registered: the cases app's own below, later apps'
# from their AppConfig.ready() (assistance: "an approved plan before Assistance"), so the
# cases app never imports them.
_guards: dict[Stage, list[tuple[str, Guard]]] = {}
# Hooks run inside the moving transaction once a case has entered a stage (monitoring:
# "a schedule on Returned"); an exception in a hook undoes the move.
_stage_hooks: dict[Stage, list[tuple[str, StageHook]]] = {}


def register_guard(target: Stage | str, name: str, guard: Guard) -> None:
    """`guard(case)` returns why a move to `target` is refused, or None. Registering a
    name again replaces that guard (an app's ready() may run more than once in tests)."""
    entries = [(n, g) for n, g in _guards.get(Stage(target), []) if n != name]
    _guards[Stage(target)] = [*entries, (name, guard)]


def register_stage_hook(stage: Stage | str, name: str, hook: StageHook) -> None:
    """`hook(actor, case)` runs in the transaction that brings a case into `stage`
    (by a move, a reopening or a registration directly at that stage)."""
    entries = [(n, h) for n, h in _stage_hooks.get(Stage(stage), []) if n != name]
    _stage_hooks[Stage(stage)] = [*entries, (name, hook)]


def unregister(name: str) -> None:
    """Remove a guard or hook by name (tests)."""
    for stage, guards in _guards.items():
        _guards[stage] = [entry for entry in guards if entry[0] != name]
    for stage, hooks in _stage_hooks.items():
        _stage_hooks[stage] = [entry for entry in hooks if entry[0] != name]


def guards_for(target: Stage | str) -> list[tuple[str, Guard]]:
    return list(_guards.get(Stage(target), []))


def run_stage_hooks(actor: Any, case: Case, stage: Stage | str) -> None:
    for _name, hook in list(_stage_hooks.get(Stage(stage), [])):
        hook(actor, case)


register_guard(Stage.RETURN_PLANNED, "cases.counselling_and_consent", _needs_counselling_and_consent)
register_guard(Stage.RETURNED, "cases.travel_dates", _needs_travel_dates)
register_guard(Stage.RECEPTION, "cases.origin_partner", _needs_origin_partner)
register_guard(Stage.ASSESSMENT, "cases.reception", _needs_reception)


def next_stages(stage: Stage | str) -> tuple[Stage, ...]:
    return TRANSITIONS[Stage(stage)]


def refusal(case: Case, target: Stage | str) -> str | None:
    """Why `case` cannot move to `target` now, or None if it can: the move must be in
    TRANSITIONS, then every registered guard of `target` must agree."""
    current = Stage(case.stage)
    target = Stage(target)
    if target not in TRANSITIONS[current]:
        return str(
            _("A case in stage “%(current)s” cannot move to “%(target)s”.")
            % {"current": current.label, "target": target.label}
        )
    for _name, guard in guards_for(target):
        why_not = guard(case)
        if why_not:
            return why_not
    return None


# The two smaller state machines of a case: a submission to a partner, and the host-side
# confirmation of a case opened after arrival. A rejected case is resubmitted as a new
# submission, so answered submissions are final.
SUBMISSION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "pending": ("accepted", "rejected"),
    "accepted": (),
    "rejected": (),
}
POST_ARRIVAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "pending": ("confirmed",),
    "confirmed": (),
    "n/a": (),
}


def can_change(table: dict[str, tuple[str, ...]], current: str, target: str) -> bool:
    return target in table.get(current, ())
