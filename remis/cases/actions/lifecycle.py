"""Moving a case along its journey, closing and reopening it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.audit.actions import diff, record
from remis.cases import fields as field_rules
from remis.cases.actions.common import hold_case, require, save_versioned
from remis.cases.actions.journey import cancel_pending_submissions
from remis.cases.actions.validation import check_fields
from remis.cases.events import CaseClosed, CaseReopened, StageChanged
from remis.cases.lifecycle import ClosureReason, Stage, refusal, run_stage_hooks
from remis.cases.models import Case, SubmissionStatus, Transition
from remis.lib import events
from remis.lib.errors import Conflict, TransitionRefused, ValidationFailed


def _move(
    actor: Any,
    case: Case,
    target: Stage,
    expected_version: int | None,
    reason: str,
    fields: dict[str, Any] | None = None,
) -> None:
    """Set the stage (and `fields`), keep the transition row, audit before -> after."""
    before = {"stage": case.stage, **{name: getattr(case, name) for name in fields or {}}}
    for name, value in (fields or {}).items():
        setattr(case, name, value)
    case.stage = target
    case.stage_changed_at = timezone.now()
    save_versioned(case, expected_version, ["stage", "stage_changed_at", *(fields or {})])
    Transition.objects.create(case=case, from_stage=before["stage"], to_stage=target, by=actor, reason=reason)
    run_stage_hooks(actor, case, target)
    after = {"stage": str(target), **(fields or {})}
    record(actor, "case.transition", case, case_uuid=case.uuid, changes=diff(before, after))
    events.emit(StageChanged(case_id=case.pk, from_stage=str(before["stage"]), to_stage=str(target)))


def transition_case(
    actor: Any, case: Case, target: str, *, expected_version: int | None = None, reason: str = ""
) -> Case:
    """Move the case to the next stage of its journey. Closing has its own action."""
    require(actor, case, Perm.CASE_TRANSITION)
    if target not in Stage.values:
        raise TransitionRefused(_("“%(stage)s” is not a stage.") % {"stage": target}, "stage")
    if target == Stage.CLOSED:
        raise TransitionRefused(_("Use “Close case” to close a case: a reason is required."), "stage")
    check_fields(field_rules.TRANSITION, reason=reason)
    _refuse_stale(case, expected_version)
    why_not = refusal(case, target)
    if why_not:
        raise TransitionRefused(why_not, "stage")
    with transaction.atomic():
        _move(actor, case, Stage(target), expected_version, reason)
    return case


def _refuse_stale(case: Case, expected_version: int | None) -> None:
    """A move asked from an outdated read of the case is a conflict before the journey's
    rules are asked: judged against a state its sender never saw, a second tab's move read
    "a case at “Return planned” cannot move to “Return planned”", and a client's stale
    version got a 422 about counselling. (`_move` checks again under the lock.)"""
    if expected_version is not None and expected_version != case.version:
        raise Conflict()


def close_case(
    actor: Any, case: Case, closure_reason: str, *, expected_version: int | None = None, note: str = ""
) -> Case:
    require(actor, case, Perm.CASE_CLOSE)
    if closure_reason not in ClosureReason.values:
        raise ValidationFailed(_("Choose why the case is closed."), "closure_reason")
    check_fields(field_rules.TRANSITION, note=note)
    _refuse_stale(case, expected_version)
    why_not = refusal(case, Stage.CLOSED)
    if why_not:
        raise TransitionRefused(why_not, "stage")
    from_stage = str(case.stage)
    with transaction.atomic():
        # The case, then the submissions, then the audit log: a partner answering the
        # submission at that moment holds it and then records; cancelling it after the
        # closure's own entry (the audit lock held) would deadlock with them.
        hold_case(case)
        # A closed case is no longer offered to a partner: a submission awaiting an answer
        # is cancelled (it stayed in the partner's work list, overdue, for ever).
        cancel_pending_submissions(actor, case, timezone.now(), SubmissionStatus.CLOSED)
        _move(
            actor,
            case,
            Stage.CLOSED,
            expected_version,
            # Without a note, the reason's code: each reader sees its name in their own
            # language (`Transition.reason_shown`); its name here was the closer's language.
            note or closure_reason,
            {"closure_reason": closure_reason, "stage_before_closure": case.stage},
        )
        events.emit(CaseClosed(case_id=case.pk, closure_reason=closure_reason, from_stage=from_stage))
    return case


def reopen_case(actor: Any, case: Case, reason: str, *, expected_version: int | None = None) -> Case:
    """Return a closed case to the stage it was closed from; the reason is kept."""
    require(actor, case, Perm.CASE_CLOSE)
    _refuse_stale(case, expected_version)
    if case.stage != Stage.CLOSED:
        raise TransitionRefused(_("Only a closed case can be reopened."), "stage")
    if not reason.strip():
        raise ValidationFailed(_("Say why the case is reopened."), "reason")
    check_fields(field_rules.TRANSITION, reason=reason.strip())
    with transaction.atomic():
        target = Stage(case.stage_before_closure or Stage.REGISTERED)
        _move(
            actor,
            case,
            target,
            expected_version,
            reason.strip(),
            {"closure_reason": "", "stage_before_closure": ""},
        )
        events.emit(CaseReopened(case_id=case.pk, to_stage=str(target)))
    return case


def closed_meanwhile(case: Case) -> str:
    """Why closing from a page opened before a colleague closed the case was refused: who
    closed it, when, and why (the general "someone else saved" named neither, and the page
    offered only Reopen); blank when the case is not closed."""
    from django.utils.formats import date_format

    case.refresh_from_db(fields=["stage"])
    if case.stage != Stage.CLOSED:
        return ""
    closing = case.transitions.filter(to_stage=Stage.CLOSED).select_related("by").order_by("-at").first()
    if closing is None or closing.by is None:
        return ""
    return str(
        _("Nothing was saved: meanwhile %(name)s closed this case on %(when)s (%(reason)s).")
        % {
            "name": closing.by.display_name,
            "when": date_format(timezone.localtime(closing.at), "SHORT_DATETIME_FORMAT"),
            "reason": closing.reason_shown,
        }
    )
