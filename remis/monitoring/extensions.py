"""How monitoring attaches to the case journey: it subscribes to the cases app's events
(returned, arrival date changed, closed, reopened) and keeps each case's schedule in step.
Registered in MonitoringConfig.ready(); the cases app never calls monitoring."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from remis.cases.events import (
    CaseAnonymised,
    CaseClosed,
    CaseImported,
    CaseRegistered,
    CaseReopened,
    StageChanged,
    TravelSaved,
)
from remis.cases.extensions import CasePanel, PanelContext, WorkItem, WorkList, WorkSource, capped_count
from remis.cases.lifecycle import Stage

FIRST_ROWS = 5


def on_registered(event: CaseRegistered) -> None:
    # A returnee registered after arrival starts at "returned": scheduled at once.
    if event.stage == Stage.RETURNED:
        from remis.monitoring.actions import schedule_case

        schedule_case(event.case_id)


def on_stage_changed(event: StageChanged) -> None:
    if event.to_stage == Stage.RETURNED:
        from remis.monitoring.actions import schedule_case

        schedule_case(event.case_id)


def on_travel_saved(event: TravelSaved) -> None:
    if event.arrival_changed:
        from remis.monitoring.actions import move_schedule

        move_schedule(event.case_id)


def on_closed(event: CaseClosed) -> None:
    from remis.monitoring.actions import stop_schedule

    stop_schedule(event.case_id)


def on_reopened(event: CaseReopened) -> None:
    from remis.monitoring.actions import resume_schedule

    resume_schedule(event.case_id)


def monitoring_panel(seen: PanelContext) -> dict[str, Any] | None:
    from remis.monitoring.models import ContactOutcome, FollowUpStatus
    from remis.monitoring.queries import STATE_LABELS, rounds_of_case, state_of

    rounds = rounds_of_case(seen.case)
    if not rounds and seen.case.stage in (Stage.REGISTERED, Stage.COUNSELLING, Stage.RETURN_PLANNED):
        return None  # not returned yet: nothing to follow up
    from remis.monitoring.charts import score_trend
    from remis.monitoring.response_forms import language
    from remis.monitoring.responses import case_scores, definition_of, hidden_questions, masked_scores

    today = timezone.localdate()
    # Without the scores that would give back an answer in a group the reader does not hold.
    shown = []
    for response in case_scores(seen.case):
        definition = definition_of(response.instrument)
        shown.append(masked_scores(definition, response, hidden_questions(definition, seen.groups)))
    trend = score_trend(shown, language(), by_month=seen.case.anonymised_at is not None)
    scored = {row.round: row for row in trend.rows if row.round is not None}  # a round's latest
    lost = [f for f in rounds if f.status == FollowUpStatus.LOST] if seen.case.stage != Stage.CLOSED else []
    refused = [f for f in lost if any(a.outcome == ContactOutcome.REFUSED for a in f.attempts.all())]
    # Reached since (a later round done): contact was lost then, not now.
    reached = {
        f.round for f in lost if any(g.round > f.round and g.status == FollowUpStatus.DONE for g in rounds)
    }
    return {
        "case": seen.case,
        "rounds": [
            (f, STATE_LABELS[state_of(f, today)], state_of(f, today), scored.get(f.round)) for f in rounds
        ],
        "consent": seen.case.has_consent("follow_up_contact"),
        "trend": trend,
        # Said on the case page too (only the round's page said it): the case worker decides.
        # A round lost because the returnee refused is no loss of contact: closing the case
        # "for lost contact" was proposed for it, a wrong closure reason.
        "lost": [f.round for f in lost if f not in refused and f.round not in reached],
        "refused": [f.round for f in refused],
    }


def _round_item(
    follow_up: Any, today: Any, *, late: bool = True, day: Any = None, unconsented: bool = False
) -> WorkItem:
    """`day`: the date the list shows, when not the day the round is due; `unconsented`: the
    returnee has not consented to follow-up contact, so the visit cannot be recorded yet
    (the follow-ups list says so too): the work is to ask for that consent first."""
    label = _("%(reference)s · round %(round)s") % {
        "reference": follow_up.case.reference,
        "round": follow_up.round,
    }
    if unconsented:
        label = _("%(round)s · no follow-up contact consent yet") % {"round": label}
    return WorkItem(
        label=label,
        url=reverse("follow_up_detail", args=[follow_up.case.uuid, follow_up.round]),
        due=day or follow_up.due_on,
        overdue=late and follow_up.due_on < today,
    )


def follow_ups_to_do(actor: Any) -> WorkList | None:
    """Rounds whose window is open (in window or overdue), on cases the actor follows."""
    from remis.monitoring.queries import State, in_state, my_follow_ups, without_follow_up_consent

    today = timezone.localdate()
    # The list's own filter: the card counts the rounds its link lists.
    rows = in_state(my_follow_ups(actor), State.DUE, today).select_related("case").order_by("due_on", "id")
    count, more = capped_count(rows)
    if not count:
        return None
    first = list(rows[:FIRST_ROWS])
    unconsented = without_follow_up_consent(first)
    return WorkList(
        name="follow_ups_due",
        title=str(_("Follow-up visits to carry out")),
        count=count,
        more=more,
        items=[_round_item(f, today, unconsented=f.case_id in unconsented) for f in first],
        url=reverse("follow_up_list") + "?mine=on&state=due",
    )


def lost_returnees(actor: Any) -> WorkList | None:
    """Open cases with a round lost to follow-up: REMIS proposes closing them for lost
    contact; the case worker decides (from the case page)."""
    from remis.monitoring.queries import State, in_state, my_follow_ups

    today = timezone.localdate()
    rows = (
        in_state(my_follow_ups(actor), State.LOST_OPEN, today)
        .select_related("case")
        .order_by("lost_on", "id")
    )
    count, more = capped_count(rows)
    if not count:
        return None
    return WorkList(
        name="follow_ups_lost",
        title=str(_("Returnees lost to follow-up: consider closing for lost contact")),
        count=count,
        more=more,
        # Lost, not late: no "overdue" mark, and the day it was lost (its due day was shown
        # under "Due", weeks after the contact was lost).
        items=[_round_item(f, today, late=False, day=f.lost_on) for f in rows[:FIRST_ROWS]],
        url=reverse("follow_up_list") + "?mine=on&state=lost_open",
        date_label=str(_("Lost on")),
    )


def low_scores_to_follow_up(actor: Any) -> WorkList | None:
    """Cases whose latest reintegration response is in the lowest band, not yet followed up
    (queries.low_scores says what clears one)."""
    from remis.monitoring.queries import low_scores

    rows = low_scores(actor)
    count, more = capped_count(rows)
    if not count:
        return None
    from remis.monitoring.queries import follow_up_urls

    first = list(rows[:FIRST_ROWS])
    urls = follow_up_urls(first, timezone.localdate())
    items = [
        WorkItem(
            # The day is the list's date column ("Collected on"), not said twice.
            label=_("%(reference)s · low score") % {"reference": response.case.reference},
            url=urls[response.pk][0],
            due=response.collected_on,
            overdue=False,  # the day it was scored, not a deadline passed
        )
        for response in first
    ]
    return WorkList(
        name="low_scores",
        title=str(_("Low reintegration scores to follow up")),
        count=count,
        more=more,
        items=items,
        date_label=str(_("Collected on")),
        url=reverse("low_scores"),
    )


def register() -> None:
    from remis.cases.extensions import register_case_panel, register_work_list
    from remis.lib.events import subscribe, subscribe_in_transaction
    from remis.monitoring.actions import schedule_imported
    from remis.monitoring.anonymise import coarsen_cases

    register_case_panel(
        CasePanel(
            "monitoring",
            gettext_lazy("Follow-up monitoring"),
            "monitoring/_panel.html",
            monitoring_panel,
            order=30,
        )
    )
    register_work_list(WorkSource("follow_ups_due", follow_ups_to_do, order=30))
    register_work_list(WorkSource("follow_ups_lost", lost_returnees, order=31))
    register_work_list(WorkSource("low_scores", low_scores_to_follow_up, order=32))

    subscribe(CaseRegistered, on_registered)
    subscribe(StageChanged, on_stage_changed)
    subscribe(TravelSaved, on_travel_saved)
    subscribe(CaseClosed, on_closed)
    subscribe(CaseReopened, on_reopened)
    subscribe_in_transaction(CaseAnonymised, coarsen_cases)  # with the case, or not at all
    subscribe_in_transaction(CaseImported, schedule_imported)  # with the import, or not at all
