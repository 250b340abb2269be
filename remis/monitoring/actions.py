"""The writes of follow-up monitoring: schedules made and kept in step with the case journey
(by the system actor, from the cases app's events), contact attempts and visits by people.
Each checks permission, writes under a lock and leaves an audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.accounts.system import system_actor
from remis.audit.actions import record, record_many
from remis.audit.once import sent_once
from remis.cases.actions.common import hold_case, require
from remis.cases.events import CaseImported
from remis.cases.lifecycle import JOURNEY, Stage
from remis.cases.models import Case, ConsentPurpose
from remis.cases.policy import groups_on_case
from remis.lib.errors import Conflict, Duplicate, PermissionDenied, TransitionRefused, ValidationFailed
from remis.lib.events import emit
from remis.lib.templatetags.remis_dates import short_date
from remis.monitoring.configuration import (
    MAX_MONTHS,
    MAX_ROUNDS,
    MAX_WINDOW_DAYS,
    dates_of,
    known_instruments,
    rounds_of,
    rules_in_force,
    rules_on,
)
from remis.monitoring.events import VisitRecorded
from remis.monitoring.instruments.scoring import canonical_answers, compile_scorer, drop_irrelevant
from remis.monitoring.models import (
    FAILED_OUTCOMES,
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
    FollowUp,
    FollowUpStatus,
    Instrument,
    Response,
    ScheduleRules,
    Visit,
    VisitMode,
)
from remis.monitoring.queries import consented_on, follow_up_statements, other_rounds_window
from remis.monitoring.responses import (
    definition_of,
    hidden_questions,
    plain_answers,
    same_answer,
    score_columns,
    scored_event,
)

NOTE_MAX = 500
VISIT_NOTE_MAX = 4000


def _locked_case(case_id: int) -> Case | None:
    """The case under its row lock: schedule changes of one case happen one after the other
    (two events of the same case delivered at once would otherwise both create round 1).
    A no-key lock (PostgreSQL's FOR NO KEY UPDATE): a visit or contact attempt being
    recorded holds its round's lock and then inserts a row referencing the case, which
    takes a key-share lock on it; a full FOR UPDATE here made that wait on us while we
    waited for its round: a deadlock, when a case was closed as a visit was recorded."""
    return Case.objects.select_for_update(no_key=True).filter(pk=case_id).first()


def _locked_rounds(case_id: int, **where: Any) -> list[FollowUp]:
    """The case's rounds (matching `where`) under their row locks, read as committed once
    the locks are ours: a visit or contact attempt recorded at the same moment changes a
    round's status under that lock, and what was read before it committed (a round still
    scheduled) must not be written back over it (a visited round stopped or moved). Only
    the rounds are locked, not the schedule rules they share with other cases."""
    rounds = FollowUp.objects.select_for_update(of=("self",)).filter(case_id=case_id, **where)
    return list(rounds.select_related("rules"))


def _plan(follow_ups: list[FollowUp]) -> list[list[Any]]:
    return [[f.round, f.due_on.isoformat(), f.status] for f in follow_ups]


# ---- schedules, kept by the system actor ------------------------------------------------------


def _rounds(case: Case, rules: Any, open_on: dt.date | None = None) -> list[FollowUp]:
    """The case's rounds under `rules`, unsaved; with `open_on`, only those whose window
    has not closed by that day."""
    assert case.arrival_date is not None
    rows = []
    for spec in rounds_of(rules):
        due, start, end = dates_of(case.arrival_date, spec)
        if open_on is not None and end < open_on:
            continue
        rows.append(
            FollowUp(
                case=case,
                host_country=case.host_country,
                origin_country=case.origin_country,
                round=spec.round,
                months=spec.months,
                instrument=spec.instrument,
                due_on=due,
                window_start=start,
                window_end=end,
                rules=rules,
            )
        )
    return rows


def schedule_case(case_id: int) -> list[FollowUp]:
    """Give a returned case its rounds (the schedule in force on its arrival date). Nothing
    when it has no arrival date yet (the travel, when saved, schedules it) or already has
    rounds. Returns the rounds created."""
    with transaction.atomic():
        case = _locked_case(case_id)
        if case is None or case.arrival_date is None or case.stage == Stage.CLOSED:
            return []
        if FollowUp.objects.filter(case_id=case_id).exists():
            return []
        rules = rules_on(case.programme_id, case.arrival_date)
        if rules is None:
            return []
        created = FollowUp.objects.bulk_create(_rounds(case, rules))
        record(
            system_actor(),
            "monitoring.schedule",
            case,
            changes={"rounds": [None, _plan(created)], "arrival_date": [None, case.arrival_date.isoformat()]},
            case_uuid=case.uuid,
        )
    return created


def schedule_imported(events: Sequence[CaseImported]) -> None:
    """Open cases an import wrote past their return get the rounds still ahead of them, in
    the import's transaction: a round whose window closed before today is left out (it
    would read "missed" at once, for a visit made elsewhere or never asked for), and a
    closed or historic case gets none. Imported at "monitoring", a case got no round at
    all. In bulk; one audit entry per case, by the system actor."""
    today = timezone.localdate()
    open_stages = set(JOURNEY[JOURNEY.index(Stage.RETURNED) :]) - {Stage.CLOSED}
    wanted = {e.case_id for e in events if e.arrival_date is not None and e.stage in open_stages}
    if not wanted:
        return
    scheduled = set(FollowUp.objects.filter(case_id__in=wanted).values_list("case_id", flat=True))
    cases = list(
        Case.objects.filter(pk__in=wanted - scheduled).only(
            "pk", "uuid", "programme_id", "arrival_date", "host_country", "origin_country"
        )
    )
    in_force = rules_in_force()
    made: list[tuple[Case, list[FollowUp]]] = []
    for case in cases:
        assert case.arrival_date is not None
        rules = in_force.on(case.programme_id, case.arrival_date)
        if rules is None:
            continue
        rows = _rounds(case, rules, open_on=today)
        if rows:
            made.append((case, rows))
    FollowUp.objects.bulk_create([row for _case, rows in made for row in rows])
    record_many(
        system_actor(),
        "monitoring.schedule",
        [
            (
                case,
                {"rounds": [None, _plan(rows)], "arrival_date": [None, case.arrival_date.isoformat()]},
                case.uuid,
            )
            for case, rows in made
            if case.arrival_date is not None
        ],
    )


def move_schedule(case_id: int) -> int:
    """The arrival date changed: rounds not yet done move with it (a case without rounds
    that is past "returned" gets them now). Returns the number of rounds moved or made."""
    with transaction.atomic():
        case = _locked_case(case_id)
        if case is None:
            return 0
        rounds = _locked_rounds(case_id)
        if not rounds:
            past_return = case.stage not in (Stage.REGISTERED, Stage.COUNSELLING, Stage.RETURN_PLANNED)
            return len(schedule_case(case_id)) if past_return else 0
        if case.arrival_date is None:
            return 0
        before = _plan(rounds)
        moved = 0
        for follow_up in rounds:
            if follow_up.status in (FollowUpStatus.DONE, FollowUpStatus.LOST):
                continue  # what happened stays where it happened
            spec = next((r for r in rounds_of(follow_up.rules) if r.round == follow_up.round), None)
            if spec is None:
                continue
            due, start, end = dates_of(case.arrival_date, spec)
            if (due, start, end) == (follow_up.due_on, follow_up.window_start, follow_up.window_end):
                continue
            FollowUp.objects.filter(pk=follow_up.pk).update(
                due_on=due, window_start=start, window_end=end, version=follow_up.version + 1
            )
            follow_up.due_on, follow_up.window_start, follow_up.window_end = due, start, end
            moved += 1
        if moved:
            record(
                system_actor(),
                "monitoring.reschedule",
                case,
                changes={"rounds": [before, _plan(rounds)]},
                case_uuid=case.uuid,
            )
    return moved


def _set_pending(case_id: int, before: str, after: str, action: str) -> int:
    with transaction.atomic():
        case = _locked_case(case_id)
        if case is None:
            return 0
        rounds = _locked_rounds(case_id, status=before)
        if not rounds:
            return 0
        FollowUp.objects.filter(pk__in=[f.pk for f in rounds]).update(status=after)
        record(
            system_actor(),
            action,
            case,
            # The same rounds on both sides, their status changed: written "1; 3 → —" they
            # read in the history as rounds deleted.
            changes={"rounds": [[f.round for f in rounds]] * 2, "status": [before, after]},
            case_uuid=case.uuid,
        )
    return len(rounds)


def stop_schedule(case_id: int) -> int:
    """The case was closed: its pending rounds stop (kept, so reopening resumes them)."""
    return _set_pending(case_id, FollowUpStatus.SCHEDULED, FollowUpStatus.STOPPED, "monitoring.stop")


def resume_schedule(case_id: int) -> int:
    """The case was reopened: its stopped rounds are scheduled again, on their own dates
    (a window that closed meanwhile shows as missed); a case without rounds gets them."""
    resumed = _set_pending(case_id, FollowUpStatus.STOPPED, FollowUpStatus.SCHEDULED, "monitoring.resume")
    if not resumed and not FollowUp.objects.filter(case_id=case_id).exists():
        return len(schedule_case(case_id))
    return resumed


# ---- contact attempts and visits, by people ----------------------------------------------------


def _lock_follow_up(follow_up: FollowUp, expected_version: int | None) -> FollowUp:
    # The round's row only: its schedule rules, read along, are shared by every case of the
    # programme, and locking them too made all visits and attempts under one schedule wait
    # for each other.
    rounds = FollowUp.objects.select_for_update(of=("self",)).select_related("rules")
    locked = rounds.get(pk=follow_up.pk)
    if expected_version is not None and locked.version != expected_version:
        if locked.status != FollowUpStatus.SCHEDULED:
            # "Apply yours again" could not be followed: a round done or lost takes no more.
            raise Conflict(
                _(
                    "Someone else recorded this round after you opened it: it is now %(status)s. "
                    "Open the page again to see what was recorded."
                )
                % {"status": locked.get_status_display().lower()}
            )
        raise Conflict()
    return locked


def _clean_day(value: Any, field: str, case: Case, today: dt.date) -> dt.date:
    if not isinstance(value, dt.date):
        raise ValidationFailed(_("Enter a date."), field)
    if value > today:
        raise ValidationFailed(_("The date cannot be in the future."), field)
    if case.arrival_date and value < case.arrival_date:
        raise ValidationFailed(_("The date cannot be before the returnee's arrival."), field)
    return value


def _clean_text(value: Any, field: str, limit: int) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise ValidationFailed(_("Write at most %(limit)s characters.") % {"limit": limit}, field)
    return text


def _require_follow_up_consent(case: Case) -> None:
    if not case.has_consent(ConsentPurpose.FOLLOW_UP):
        raise TransitionRefused(
            _(
                "The returnee has not consented to follow-up contact: record their consent "
                "before contacting them for monitoring."
            ),
            "consent",
        )


def _refuse_before_consent(case: Case, day: dt.date, field: str) -> None:
    """A contact dated before the returnee consented to follow-up contact (the statement
    in force that day was none, or a refusal) was recorded as follow-up. As the visits
    import decides it (`queries.consented_on`)."""
    statements = follow_up_statements([case]).get(case.pk, [])
    if not consented_on(statements, day):
        first = next((given_on for given_on, given in statements if given and given_on > day), None)
        raise ValidationFailed(
            _(
                "The returnee consented to follow-up contact on %(consent)s: a contact on %(day)s, "
                "before it, is not recorded. Check the date, or the date of the consent."
            )
            % {
                "consent": date_format(first, "SHORT_DATE_FORMAT") if first else "—",
                "day": date_format(day, "SHORT_DATE_FORMAT"),
            },
            field,
        )


# Outcomes that end the round at once, whatever the day: out of reach, or unwilling.
FINAL_OUTCOMES = (ContactOutcome.MOVED, ContactOutcome.REMIGRATED, ContactOutcome.REFUSED)


def failed_outside_window(follow_up: FollowUp, attempt: ContactAttempt) -> bool:
    """A failed attempt that does not count towards making the round lost: only those in
    its window count (an attempt months before the round is about another time). Not a
    final one, which ends the round on any day ("it does not count" was said of a move
    that had just made the round lost)."""
    return (
        attempt.outcome in FAILED_OUTCOMES
        and attempt.outcome not in FINAL_OUTCOMES
        and not (follow_up.window_start <= attempt.attempted_on <= follow_up.window_end)
    )


ATTEMPT_WINDOW = dt.timedelta(minutes=3)  # see record_contact_attempt's use of sent_once


def record_contact_attempt(
    actor: Any,
    follow_up: FollowUp,
    *,
    attempted_on: Any,
    channel: Any,
    outcome: Any,
    note: Any = "",
    expected_version: int | None = None,
) -> ContactAttempt:
    """One try at reaching the returnee for a round. Failed tries in the round's window, on
    as many different days as the schedule's limit, make the round "lost to follow-up"
    (REMIS then proposes closing the case for lost contact; the case worker decides)."""
    case = follow_up.case
    require(actor, case, Perm.MONITORING_RECORD)
    _require_follow_up_consent(case)
    today = timezone.localdate()
    day = _clean_day(attempted_on, "attempted_on", case, today)
    _refuse_before_consent(case, day, "attempted_on")
    if channel not in ContactChannel.values:
        raise ValidationFailed(_("Choose how the returnee was contacted."), "channel")
    if outcome not in ContactOutcome.values:
        raise ValidationFailed(_("Choose the outcome of the attempt."), "outcome")
    text = _clean_text(note, "note", NOTE_MAX)
    _refuse_another_rounds_window(follow_up, day, "attempted_on")
    with transaction.atomic():
        # Attempts add up, they never overwrite each other: one recorded from a page opened
        # before another tab's attempt is kept (it was refused as a conflict). What the
        # version guarded, the round still taking attempts, is checked here under the lock.
        del expected_version
        locked = _lock_follow_up(follow_up, None)
        if locked.status != FollowUpStatus.SCHEDULED:
            raise TransitionRefused(
                _("This round is %(status)s: no more contact attempts are recorded for it.")
                % {"status": locked.get_status_display().lower()},
                "follow_up",
            )
        # The same form sent again (Back, then the button) recorded the call twice, and one
        # unanswered call could make the returnee "lost to follow-up". A short window: calls
        # tried again a few minutes later, with nothing to note, are real ones.
        content = [follow_up.pk, day, channel, outcome, text]
        sent_once(actor, "monitoring.contact_attempt", content, "outcome", window=ATTEMPT_WINDOW)
        attempt = ContactAttempt.objects.create(
            follow_up=locked,
            case=case,
            attempted_on=day,
            channel=channel,
            outcome=outcome,
            note=text,
            recorded_by=actor,
        )
        changes: dict[str, list[Any]] = {
            "round": [None, locked.round],
            "attempted_on": [None, day.isoformat()],
            "channel": [None, channel],
            "outcome": [None, outcome],
        }
        if text:
            changes["note"] = [None, text]
        values: dict[str, Any] = {"version": locked.version + 1}
        if outcome in FAILED_OUTCOMES:
            in_window = ContactAttempt.objects.filter(
                follow_up=locked,
                outcome__in=FAILED_OUTCOMES,
                attempted_on__gte=locked.window_start,
                attempted_on__lte=locked.window_end,
            )
            # Days, not calls: three unanswered calls in one evening lost a returnee with
            # weeks of the window left. Tries on different days are what the limit counts.
            failed = in_window.values("attempted_on").distinct().count()
            # Moved away and re-migrated say at once that the returnee is out of reach, and a
            # refusal that they will not take part: the round ends there (a refusal kept the
            # round "in window" and on the to-do list, as if the phone had rung unanswered).
            final = outcome in FINAL_OUTCOMES
            if final or failed >= locked.rules.lost_after_attempts:
                # Lost on the day of the last failed try, whatever the order they were typed in.
                last = in_window.order_by("-attempted_on").values_list("attempted_on", flat=True).first()
                values.update(status=FollowUpStatus.LOST, lost_on=max(day, last or day))
                changes["status"] = [locked.status, FollowUpStatus.LOST]
        FollowUp.objects.filter(pk=locked.pk).update(**values)
        record(actor, "monitoring.contact_attempt", attempt, changes=changes, case_uuid=case.uuid)
    follow_up.refresh_from_db()
    return attempt


def _refuse_another_rounds_window(follow_up: FollowUp, day: dt.date, field: str = "visited_on") -> None:
    """A visit or a contact attempt (`field`: "attempted_on") dated inside another round's
    window belongs to that round (windows never meet): a visit recorded here made this
    round done with a visit of months later and left the other one open, with nothing on
    the page to undo it; an attempt counted towards losing the wrong round."""
    other = other_rounds_window(follow_up.case_id, follow_up.pk, day)
    if other is None:
        return
    status = (
        FollowUp.objects.filter(case_id=follow_up.case_id, round=other)
        .values_list("status", flat=True)
        .first()
    )
    if status == FollowUpStatus.DONE:
        # "Record the visit for round 2" sent the worker to a round with nothing left to record.
        raise ValidationFailed(
            _("This day is in round %(other)s's window, and round %(other)s is done: check the date.")
            % {"other": other},
            field,
        )
    if field == "attempted_on":
        if status == FollowUpStatus.SCHEDULED:
            raise ValidationFailed(
                _(
                    "This day is in round %(other)s's window: record the attempt for round %(other)s, "
                    "or check the date."
                )
                % {"other": other},
                field,
            )
        return  # that round takes no more attempts (lost, stopped): this one is the next try
    raise ValidationFailed(
        _("This day is in round %(other)s's window: record the visit for round %(other)s, or check the date.")
        % {"other": other},
        field,
    )


def record_visit(
    actor: Any,
    follow_up: FollowUp,
    *,
    visited_on: Any,
    mode: Any,
    note: Any = "",
    expected_version: int | None = None,
    early: bool = False,
) -> Visit:
    """The returnee was reached for a round (in person, by phone, remotely or by a partner):
    the round is done. A round lost to follow-up is done too if the returnee turns up. A
    visit dated before the round's window opens closes it early only when `early` says so."""
    case = follow_up.case
    require(actor, case, Perm.MONITORING_RECORD)
    _require_follow_up_consent(case)
    today = timezone.localdate()
    day = _clean_day(visited_on, "visited_on", case, today)
    _refuse_before_consent(case, day, "visited_on")
    if mode not in VisitMode.values:
        raise ValidationFailed(_("Choose how the visit took place."), "mode")
    text = _clean_text(note, "note", VISIT_NOTE_MAX)
    with transaction.atomic():
        # The case first (the order of every case action, and of a closure, which stops
        # its rounds): a round lost to follow-up stays lost when its case is closed, and a
        # visit recorded on it then would bring a closed case's monitoring back to life.
        hold_case(case)
        if Case.objects.filter(pk=case.pk, stage=Stage.CLOSED).exists():
            raise TransitionRefused(
                _("The case is closed: reopen it to record a visit."),
                "follow_up",
            )
        locked = _lock_follow_up(follow_up, expected_version)
        # A round its answers made done (saved first, on the visit's day) still takes the
        # visit they came from: its mode and note were lost for good otherwise.
        answered_first = locked.status == FollowUpStatus.DONE and not locked.visits.exists()
        if locked.status not in (FollowUpStatus.SCHEDULED, FollowUpStatus.LOST) and not answered_first:
            raise TransitionRefused(
                _("This round is %(status)s: a visit cannot be recorded for it.")
                % {"status": locked.get_status_display().lower()},
                "follow_up",
            )
        _refuse_another_rounds_window(locked, day)
        if day < locked.window_start and not early and not answered_first:
            # The page warned and the API said nothing: round 3 (a year on) closed by a visit
            # meant for round 1, its questionnaire never asked.
            raise ValidationFailed(
                _(
                    "Round %(round)s's window opens on %(day)s: a visit dated before it closes the "
                    "round early, without its questionnaire. Confirm that it does, or record a "
                    "contact attempt instead."
                )
                % {"round": locked.round, "day": date_format(locked.window_start, "SHORT_DATE_FORMAT")},
                "early",
            )
        visit = Visit.objects.create(
            follow_up=locked, case=case, visited_on=day, mode=mode, note=text, recorded_by=actor
        )
        FollowUp.objects.filter(pk=locked.pk).update(
            status=FollowUpStatus.DONE, done_on=day, lost_on=None, version=locked.version + 1
        )
        changes: dict[str, list[Any]] = {
            "round": [None, locked.round],
            "visited_on": [None, day.isoformat()],
            "mode": [None, mode],
        }
        if locked.status != FollowUpStatus.DONE:
            changes["status"] = [locked.status, FollowUpStatus.DONE]
        if text:
            changes["note"] = [None, text]
        record(actor, "monitoring.visit", visit, changes=changes, case_uuid=case.uuid)
        emit(
            VisitRecorded(
                case_id=case.pk, follow_up_id=locked.pk, round=locked.round, visited_on=day, mode=mode
            )
        )
    follow_up.refresh_from_db()
    return visit


# ---- the programme's schedule, by its managers --------------------------------------------------


def _overlapping_windows(rounds: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Rounds whose windows meet: a visit or an imported submission in both could count for
    either. Months differ in length, so the gap between two rounds is taken at its shortest
    (a month from 28 February): a schedule accepted here overlaps for no arrival date."""
    found = []
    valid = [r for r in rounds if isinstance(r["months"], int) and isinstance(r["window_days"], int)]
    for before, after in pairwise(valid):
        if after["months"] <= before["months"]:
            continue  # refused already: rounds out of order
        shortest_gap = (after["months"] - before["months"]) * 365 // 12 - 3
        if before["window_days"] + after["window_days"] >= shortest_gap:
            found.append(
                (
                    f"rounds[{after['round'] - 1}].window_days",
                    _(
                        "This window meets round %(n)s's: a visit could count for both. Shorten one "
                        "of the two windows."
                    )
                    % {"n": before["round"]},
                )
            )
    return found


def set_schedule_rules(
    actor: Any,
    programme: Any,
    *,
    effective_from: Any,
    rounds: Any,
    lost_after_attempts: Any,
) -> ScheduleRules:
    """A new version of a programme's monitoring schedule, for returnees arriving from
    `effective_from`. `rounds`: [{"months", "window_days", "instrument"}] in order (numbered
    here). Never edited; cases already scheduled keep their rounds."""
    from remis.programmes.queries import manages_programme

    if not manages_programme(actor, programme):
        raise PermissionDenied()
    errors: list[tuple[str | None, str]] = []
    if not isinstance(effective_from, dt.date):
        errors.append(("effective_from", _("Enter the day the schedule applies from.")))
    elif effective_from < programme.starts_on:
        # As the programme's settings: no returnee of the programme arrives before it starts.
        errors.append(
            (
                "effective_from",
                _("The schedule cannot take effect before the programme starts (%(day)s).")
                % {"day": short_date(programme.starts_on)},
            )
        )
    cleaned: list[dict[str, Any]] = []
    if not isinstance(rounds, list) or not rounds:
        errors.append(("rounds", _("Enter at least one round.")))
        rounds = []
    elif len(rounds) > MAX_ROUNDS:
        errors.append(("rounds", _("Enter at most %(max)s rounds.") % {"max": MAX_ROUNDS}))
    known = known_instruments()
    previous = 0
    for index, spec in enumerate(rounds[:MAX_ROUNDS]):
        where = f"rounds[{index}]"
        months = _whole(spec.get("months") if isinstance(spec, dict) else None)
        window = _whole(spec.get("window_days") if isinstance(spec, dict) else None)
        instrument = str((spec.get("instrument") if isinstance(spec, dict) else "") or "").strip()
        if months is None or not 1 <= months <= MAX_MONTHS:
            errors.append(
                (f"{where}.months", _("Enter months after arrival from 1 to %(max)s.") % {"max": MAX_MONTHS})
            )
        elif months <= previous:
            errors.append((f"{where}.months", _("Each round comes after the one before it.")))
        else:
            previous = months
        # A blank is asked for, not called out of range or unknown (a round half filled in).
        blank_window = isinstance(spec, dict) and spec.get("window_days") in (None, "")
        if blank_window:
            errors.append((f"{where}.window_days", _("Enter the window in days.")))
        elif window is None or not 0 <= window <= MAX_WINDOW_DAYS:
            errors.append(
                (f"{where}.window_days", _("Enter a window of 0 to %(max)s days.") % {"max": MAX_WINDOW_DAYS})
            )
        if not instrument:
            errors.append((f"{where}.instrument", _("Choose the instrument of this round.")))
        elif instrument not in known:
            errors.append((f"{where}.instrument", _("Choose an instrument REMIS knows.")))
        cleaned.append(
            {"round": index + 1, "months": months, "window_days": window, "instrument": instrument}
        )
    errors += _overlapping_windows(cleaned)
    attempts = _whole(lost_after_attempts)
    if attempts is None or not 1 <= attempts <= 20:
        errors.append(("lost_after_attempts", _("Enter a number of attempts from 1 to 20.")))
    if errors:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)
    assert isinstance(effective_from, dt.date) and attempts is not None
    current = rules_on(programme.pk, effective_from)
    if (
        current is not None
        and current.lost_after_attempts == attempts
        and _rounds_of(current.rounds) == _rounds_of(cleaned)
    ):
        # The form sent untouched: a second identical version would change nothing for anyone.
        raise Duplicate(_("This is already the schedule in force on that day: nothing is recorded."))
    with transaction.atomic():
        rules = ScheduleRules.objects.create(
            programme=programme,
            effective_from=effective_from,
            rounds=cleaned,
            lost_after_attempts=attempts,
            created_by=actor,
        )
        record(
            actor,
            "monitoring.schedule_rules",
            rules,
            changes={
                "programme": [None, programme.pk],
                "effective_from": [None, effective_from.isoformat()],
                "rounds": [None, [[r["months"], r["window_days"], r["instrument"]] for r in cleaned]],
                "lost_after_attempts": [None, attempts],
            },
        )
    return rules


def _rounds_of(rounds: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    return [(int(r["months"]), int(r["window_days"]), str(r["instrument"])) for r in rounds]


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


# ---- correcting a response ----------------------------------------------------------------------

REASON_MAX = 500


def correct_response(
    actor: Any, response_id: int, *, expected_version: int | None, answers: dict[str, Any], reason: Any
) -> Any:
    """Replace a case's recorded answers with corrected ones and score them again: a wrong
    choice ticked on the form, a figure mistyped in the field. The day, round and item stay
    as recorded. The reason is required; the audit entry names the questions whose answers
    changed and the scores before and after (not the answers: they can be sensitive)."""
    found = Response.objects.select_related("case").filter(pk=response_id, case__isnull=False).first()
    if found is None or found.case is None:
        raise PermissionDenied()  # a comparison sample's answers are not corrected here
    case = found.case
    require(actor, case, Perm.MONITORING_RECORD)
    text = str(reason or "").strip()
    errors: list[tuple[str | None, str]] = []
    if not text:
        errors.append(("reason", _("Say why the answers are corrected.")))
    elif len(text) > REASON_MAX:
        errors.append(("reason", _("Write at most %(limit)s characters.") % {"limit": REASON_MAX}))
    with transaction.atomic():
        hold_case(case)
        response = (
            Response.objects.select_for_update(of=("self",))
            .select_related("instrument", "follow_up")
            .get(pk=response_id)
        )
        if expected_version is not None and response.version != expected_version:
            raise Conflict(
                _(
                    "Someone else corrected these answers after you opened them. Open the page "
                    "again to see their correction, then apply yours again."
                )
            )
        definition = definition_of(response.instrument)
        # Answers in a sensitive group the actor does not hold were never shown to them: the
        # recorded ones stay, and one sent for such a question is refused, not written.
        hidden = hidden_questions(definition, groups_on_case(actor, case))
        stored_hidden = {name: response.answers[name] for name in hidden if name in response.answers}
        for name in sorted(hidden & set(answers)):
            if name not in stored_hidden or not same_answer(answers[name], stored_hidden[name]):
                errors.append(
                    (
                        f"answers.{name}",
                        _("This answer is in a sensitive group you do not hold: it is kept as recorded."),
                    )
                )
        answers = {**{k: v for k, v in answers.items() if k not in hidden}, **stored_hidden}
        scorer = compile_scorer(definition)
        errors += [(f"answers.{question}", message) for question, message in scorer.validate(answers)]
        if errors:
            raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)
        kept = canonical_answers(definition, drop_irrelevant(definition, answers))
        plain = plain_answers(kept)
        stored = response.answers
        changed = sorted(
            name
            for name in set(plain) | set(stored)
            if name not in plain or name not in stored or not same_answer(plain[name], stored[name])
        )
        if not changed:
            raise ValidationFailed(_("The answers are as they were recorded: nothing to correct."), None)
        before = response.composite, response.band
        scores = score_columns(scorer(kept))
        for name, value in scores.items():
            setattr(response, name, value)
        response.answers = plain
        response.corrected_at = timezone.now()
        response.version += 1
        response.save(update_fields=["answers", "corrected_at", "version", *scores])
        # As stored (four decimals): the new score is a float until the row is read again.
        shown = [None if v is None else f"{Decimal(str(v)):.4f}" for v in (before[0], response.composite)]
        record(
            actor,
            "monitoring.response.correct",
            response,
            changes={
                "corrected_questions": [None, ", ".join(changed)],
                "composite": shown,
                "band": [before[1], response.band],
                "correction_reason": [None, text],
            },
            case_uuid=case.uuid,
        )
        emit(scored_event(response))
    return response


# ---- a new version of an instrument's scoring ---------------------------------------------

WEIGHT_MAX = Decimal(100)


def _typed_number(value: Any) -> Decimal | None:
    """A number as people type it: "1,5" in French, "١٫٥" in Arabic; None if it is none."""
    from remis.lib.text import latin_digits

    text = latin_digits(str(value).strip()).replace("\u066b", ".").replace(",", ".")
    try:
        number = Decimal(text)
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def _weight(value: Any, field: str, errors: list[tuple[str | None, str]]) -> Decimal | None:
    """A weight as typed ("1,5" as French writes it): above 0, at most 100."""
    number = _typed_number(value)
    if number is None or not 0 < number <= WEIGHT_MAX:
        errors.append((field, _("Enter a weight above 0 and at most 100.")))
        return None
    return number


def may_change_scoring(actor: Any) -> bool:
    """Instruments are shared by every organisation (their responses are compared across
    programmes): a new version of one is the platform operator's, as rescoring is."""
    from remis.accounts.scope import has_perm

    return bool(getattr(actor, "is_superuser", False) or has_perm(actor, Perm.PLATFORM_MANAGE))


def new_scoring_version(
    actor: Any,
    instrument: Instrument,
    *,
    dimension_weights: dict[str, Any],
    indicator_weights: dict[str, Any],
    band_lowers: dict[str, Any],
) -> Instrument:
    """A new version of `instrument` (its latest) with other weights or score bands, its
    questions unchanged; new responses use it, and those stored keep the version they
    answered and its scores. `band_lowers`: each band's lower bound but the first's (0) on
    the 0–100 scale the pages show; a weight left out keeps its value."""
    from remis.monitoring.instruments.definition import DefinitionError, load_definition

    if not may_change_scoring(actor):
        raise PermissionDenied()
    errors: list[tuple[str | None, str]] = []
    data = dict(instrument.definition)
    for given, part, prefix in (
        (dimension_weights, "dimensions", "dimension"),
        (indicator_weights, "indicators", "indicator"),
        (band_lowers, "bands", "band"),
    ):
        known = {row["code"] for row in data[part][1 if part == "bands" else 0 :]}
        errors += [
            (f"{prefix}_{code}", _("This instrument has no “%(code)s” to change.") % {"code": code})
            for code in given
            if code not in known
        ]
    dimensions = [dict(d) for d in data["dimensions"]]
    for dimension in dimensions:
        if dimension["code"] in dimension_weights:
            weight = _weight(dimension_weights[dimension["code"]], f"dimension_{dimension['code']}", errors)
            dimension["weight"] = float(weight) if weight is not None else dimension["weight"]
    indicators = [dict(i) for i in data["indicators"]]
    for indicator in indicators:
        if indicator["code"] in indicator_weights:
            weight = _weight(indicator_weights[indicator["code"]], f"indicator_{indicator['code']}", errors)
            indicator["weight"] = float(weight) if weight is not None else indicator["weight"]
    bands = [dict(b) for b in data["bands"]]
    previous = Decimal(0)
    for band in bands[1:]:
        # Each bound, sent or kept, against the one before it (a bound sent above the next
        # one's, kept, was refused in the definition's words, on its 0–1 scale).
        field = f"band_{band['code']}"
        if band["code"] in band_lowers:
            lower = _typed_number(band_lowers[band["code"]])
            if lower is None or not 0 < lower < 100:
                errors.append((field, _("Enter a lower bound above 0 and below 100.")))
                continue
            band["lower"] = float(lower / 100)
        else:
            lower = Decimal(str(band["lower"])) * 100
        if lower <= previous:
            errors.append((field, _("Each band starts above the band before it.")))
        previous = lower
    if errors:
        raise ValidationFailed(errors[0][1], errors[0][0], errors=errors)
    with transaction.atomic():
        # One new version at a time per instrument: the versions of its code, locked.
        versions = list(
            Instrument.objects.select_for_update()
            .filter(code=instrument.code)
            .values_list("version", flat=True)
        )
        latest = max(versions)
        if instrument.version != latest:
            raise Conflict(
                _(
                    "Version %(latest)s of this instrument was recorded after you opened version "
                    "%(version)s: open the latest and change it."
                )
                % {"latest": latest, "version": instrument.version},
                for_clients=(
                    "version",
                    _("Version %(latest)s is the latest: send changes to it.") % {"latest": latest},
                ),
            )
        proposed = {
            **data,
            "version": latest + 1,
            "dimensions": dimensions,
            "indicators": indicators,
            "bands": bands,
        }
        try:
            definition = load_definition(proposed)
        except DefinitionError as error:  # a weight or bound the checks above let through
            raise ValidationFailed(str(error), None) from error
        stored = definition.to_dict()
        before = load_definition({**data}).to_dict()
        changes = _scoring_changes(before, stored)
        if not changes:
            raise Duplicate(
                _("These are the weights and bands of this version already: nothing is recorded.")
            )
        Instrument.objects.filter(code=instrument.code).update(active=False)
        try:
            with transaction.atomic():
                created = Instrument.objects.create(
                    code=instrument.code,
                    version=latest + 1,
                    title=instrument.title,
                    definition=stored,
                    active=True,
                    created_by=actor,
                )
        except IntegrityError as error:  # made at the same moment (its lock not taken first)
            raise Conflict(
                _("Another version of this instrument was just recorded: open the latest and change it."),
                for_clients=("version", _("Another version was just recorded: send changes to the latest.")),
            ) from error
        record(
            actor,
            "monitoring.instrument_version",
            created,
            changes={"version": [instrument.version, created.version], "scoring": [None, changes]},
        )
    return created


def _scoring_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What a new version changes, one line a weight or bound, by code (the log's own
    words, as for every code it keeps): "weight of economic: 1 → 2"."""
    lines: list[str] = []
    for part, key, name in (
        ("dimensions", "weight", "weight of"),
        ("indicators", "weight", "weight of"),
        ("bands", "lower", "lower bound of"),
    ):
        old = {row["code"]: row[key] for row in before[part]}
        for row in after[part]:
            if old.get(row["code"]) != row[key]:
                lines.append(f"{name} {row['code']}: {_plain(old.get(row['code']))} → {_plain(row[key])}")
    return lines


def _plain(number: Any) -> str:
    """A weight or bound as written ("0.0000001", not "1e-07")."""
    return "—" if number is None else format(Decimal(str(number)).normalize(), "f")
