"""Every write of assessments: permission, validation, one transaction, the audit entry,
the event. Nothing else writes assessments (the bulk demo generator aside)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.assessments.answers import Answers, Form, proposed_flags, validate
from remis.assessments.events import AssessmentCompleted, FlagsConfirmed
from remis.assessments.models import Assessment, AssessmentFlag, AssessmentStatus, FlagDecision, Instrument
from remis.assessments.queries import instrument_in_force
from remis.audit.actions import record
from remis.cases.actions import update_case_details
from remis.cases.actions.common import check_version, hold_case, require, save_versioned
from remis.cases.models import Case
from remis.cases.policy import groups_on_case, shows
from remis.lib import events
from remis.lib.errors import Conflict, Duplicate, ValidationFailed
from remis.lib.fields import Dates

ASSESSED_ON = Dates(years_before=5, years_after=0)


def _assessed_on(day: dt.date | None, problems: list[tuple[str | None, str]]) -> dt.date:
    day = day or timezone.localdate()
    problem = ASSESSED_ON.problem(day, timezone.localdate())
    if problem:
        problems.append(("assessed_on", problem))
    return day


def audit_answers(form: Form, answers: Answers) -> dict[str, Answers]:
    """Answers split for the audit log: `answers` for those in no sensitive group,
    `answers_<group>` for each group's, which the log shows only to that group's holders
    (fields registered in AssessmentsConfig.ready())."""
    split: dict[str, Answers] = {}
    groups = {q.code: q.sensitive_group for q in form.questions}
    for code, value in answers.items():
        group = groups.get(code, "")
        split.setdefault(f"answers_{group}" if group else "answers", {})[code] = value
    return split


def _answer_changes(form: Form, before: Answers | None, after: Answers) -> dict[str, list[Any]]:
    old = audit_answers(form, before) if before is not None else {}
    new = audit_answers(form, after)
    return {k: [old.get(k), new.get(k)] for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)}


def _raise(problems: list[tuple[str | None, str]]) -> None:
    if problems:
        field, message = problems[0]
        raise ValidationFailed(message, field, errors=problems)


def _complete(actor: Any, assessment: Assessment, form: Form) -> list[str]:
    """Mark completed and record the flags the answers propose (to be confirmed)."""
    assessment.status = AssessmentStatus.COMPLETED
    assessment.completed_by = actor
    assessment.completed_at = timezone.now()
    flags = proposed_flags(form, assessment.answers)
    AssessmentFlag.objects.bulk_create(
        [AssessmentFlag(assessment=assessment, vulnerability=v) for v in flags]
    )
    return [v.code for v in flags]


def _emit_completed(assessment: Assessment, proposed: list[str]) -> None:
    events.emit(
        AssessmentCompleted(
            case_id=assessment.case_id,
            assessment_uuid=assessment.uuid,
            instrument_code=assessment.instrument.code,
            instrument_version=assessment.instrument.version,
            proposed=tuple(proposed),
        )
    )


# Questions whose answers the case already knows, by code (in any instrument version asking
# them): the new-assessment form offers the case's value, and an answer contradicting the
# case is refused. An age of 50 typed for a person born in 1990 proposed no flag, and one of
# 60 would have proposed "elderly".
AGE, HOUSEHOLD_SIZE, ARRIVED_IN_COMMUNITY = "age", "household_size", "arrived_in_community"


def _born(case: Case) -> dt.date | None:
    return case.principal.date_of_birth if case.principal_id else None


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def known_answers(case: Case, day: dt.date) -> dict[str, Any]:
    """What the case says of the questions it answers: the returnee's age on `day` (from their
    date of birth, when known) and the number of people in its household."""
    known: dict[str, Any] = {HOUSEHOLD_SIZE: case.members.count()}
    born = _born(case)
    if born is not None:
        known[AGE] = age_on(born, day)
    return known


def _contradictions(case: Case, answers: Mapping[str, Any], day: dt.date) -> list[tuple[str | None, str]]:
    problems: list[tuple[str | None, str]] = []
    born = _born(case)
    if born is None:
        return problems
    age = answers.get(AGE)
    if isinstance(age, int) and abs(age - age_on(born, day)) > 1:
        problems.append(
            (
                f"answers.{AGE}",
                _(
                    "The date of birth on the case (%(born)s) makes the returnee %(age)s on the "
                    "assessment's day."
                )
                % {"born": date_format(born, "SHORT_DATE_FORMAT"), "age": age_on(born, day)},
            )
        )
    arrived = answers.get(ARRIVED_IN_COMMUNITY)
    arrived_day = dt.date.fromisoformat(arrived) if isinstance(arrived, str) and arrived else None
    if arrived_day is not None and arrived_day < born:
        problems.append(
            (
                f"answers.{ARRIVED_IN_COMMUNITY}",
                _("This day is before the returnee's date of birth on the case (%(born)s).")
                % {"born": date_format(born, "SHORT_DATE_FORMAT")},
            )
        )
    return problems


def record_assessment(
    actor: Any,
    case: Case,
    answers: Mapping[str, Any],
    *,
    assessed_on: dt.date | None = None,
    complete: bool = False,
    instrument: Instrument | None = None,
) -> Assessment:
    """A new assessment of `case` with the instrument in force on `assessed_on` (today by
    default), saved as a draft or completed. Completing needs every required answer."""
    require(actor, case, Perm.ASSESSMENT_RECORD)
    problems: list[tuple[str | None, str]] = []
    day = _assessed_on(assessed_on, problems)
    instrument = instrument or instrument_in_force(day)
    if instrument is None:
        raise ValidationFailed(_("No assessment instrument is in force on this day."), "assessed_on")
    form = Form.of(instrument)
    cleaned, answer_problems = validate(form, answers, groups_on_case(actor, case), complete=complete)
    _raise(problems + answer_problems + _contradictions(case, cleaned, day))
    with transaction.atomic():
        hold_case(case)  # the case's row first, as every case action
        # One new draft of a case at a time, checked under the case's lock: two tabs each
        # saved one, and two competing drafts of the same assessment were listed.
        draft = (
            Assessment.objects.filter(case=case, status=AssessmentStatus.DRAFT, revises__isnull=True)
            .select_related("created_by")
            .first()
        )
        if draft is not None:
            raise Duplicate(
                _("A draft assessment of this case, started by %(name)s on %(day)s, is open: continue it.")
                % {
                    "name": draft.created_by.display_name,
                    "day": date_format(draft.assessed_on, "DATE_FORMAT"),
                },
                "assessment",
            )
        assessment = Assessment.objects.create(
            case=case, instrument=instrument, answers=cleaned, assessed_on=day, created_by=actor
        )
        proposed = _complete(actor, assessment, form) if complete else []
        if complete:
            assessment.save(update_fields=["status", "completed_by", "completed_at"])
        record(
            actor,
            "assessment.create",
            assessment,
            case_uuid=case.uuid,
            changes={
                "instrument": [None, f"{instrument.code} v{instrument.version}"],
                "assessment_status": [None, assessment.status],
                "assessed_on": [None, day.isoformat()],
                "proposed_flags": [None, proposed],
                **_answer_changes(form, None, cleaned),
            },
        )
        if complete:
            _emit_completed(assessment, proposed)
    return assessment


def save_assessment(
    actor: Any,
    assessment: Assessment,
    answers: Mapping[str, Any],
    *,
    expected_version: int,
    assessed_on: dt.date | None = None,
    complete: bool = False,
) -> Assessment:
    """Change a draft's answers (all of them: an answer left out is removed), and complete
    it if asked. A completed assessment is final: `revise_assessment` starts a new one.
    A save from an outdated read is a Conflict, never an overwrite."""
    case = assessment.case
    require(actor, case, Perm.ASSESSMENT_RECORD)
    check_version(assessment, expected_version)
    if assessment.status != AssessmentStatus.DRAFT:
        raise Conflict(_("This assessment is completed: record a new assessment to change it."))
    groups = groups_on_case(actor, case)
    form = Form.of(assessment.instrument)
    problems: list[tuple[str | None, str]] = []
    day = _assessed_on(assessed_on or assessment.assessed_on, problems)
    cleaned, answer_problems = validate(form, answers, groups, complete=complete)
    # Answers to questions of groups the actor does not hold were never shown to them:
    # their save keeps those (validated when their author saved them).
    for question in form.questions:
        if not shows(groups, question.sensitive_group) and question.code in assessment.answers:
            cleaned[question.code] = assessment.answers[question.code]
    _raise(problems + answer_problems + _contradictions(case, cleaned, day))
    answer_changes = _answer_changes(form, assessment.answers, cleaned)
    if not complete and not answer_changes and day == assessment.assessed_on:
        return assessment  # saved untouched: no new version, no audit entry
    with transaction.atomic():
        hold_case(case)
        before = {"assessment_status": assessment.status, "assessed_on": assessment.assessed_on.isoformat()}
        assessment.answers = cleaned
        assessment.assessed_on = day
        assessment.updated_at = timezone.now()
        proposed = _complete(actor, assessment, form) if complete else []
        save_versioned(
            assessment,
            expected_version,
            ["answers", "assessed_on", "status", "completed_by", "completed_at", "updated_at"],
        )
        after = {"assessment_status": assessment.status, "assessed_on": day.isoformat()}
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]} | answer_changes
        if complete:
            changes["proposed_flags"] = [None, proposed]
        if changes:
            record(actor, "assessment.update", assessment, case_uuid=case.uuid, changes=changes)
        if complete:
            _emit_completed(assessment, proposed)
    return assessment


def revise_assessment(actor: Any, assessment: Assessment) -> Assessment:
    """A new draft with the completed assessment's answers, to change them: the completed
    one stays as it was (with its instrument version and flags)."""
    case = assessment.case
    require(actor, case, Perm.ASSESSMENT_RECORD)
    if assessment.status != AssessmentStatus.COMPLETED:
        raise ValidationFailed(_("Only a completed assessment can be revised; change the draft instead."))
    instrument = instrument_in_force() or assessment.instrument
    # Answers carry over to a newer version only for questions it still asks.
    codes = set(instrument.questions.values_list("code", flat=True))
    answers = {k: v for k, v in assessment.answers.items() if k in codes}
    with transaction.atomic():
        hold_case(case)
        # Read under the case's lock: "Revise" pressed twice, or by two people at once,
        # opens the one draft rather than two competing revisions of the same assessment.
        pending = Assessment.objects.filter(revises=assessment, status=AssessmentStatus.DRAFT).first()
        if pending is not None:
            return pending
        draft = Assessment.objects.create(
            case=case,
            instrument=instrument,
            answers=answers,
            assessed_on=timezone.localdate(),
            revises=assessment,
            created_by=actor,
        )
        record(
            actor,
            "assessment.revise",
            draft,
            case_uuid=case.uuid,
            changes={
                "revises": [None, str(assessment.uuid)],
                **_answer_changes(Form.of(instrument), None, answers),
            },
        )
    return draft


def _decidable(assessment: Assessment, groups: frozenset[str], wanted: set[str]) -> dict[str, AssessmentFlag]:
    """The pending flags the actor may decide, by code; refuses a code not among them."""
    pending = assessment.flags.select_related("vulnerability").filter(decision=FlagDecision.PENDING)
    decidable = {f.vulnerability.code: f for f in pending if shows(groups, f.vulnerability.sensitive_group)}
    unknown = sorted(wanted - set(decidable))
    if unknown:
        raise ValidationFailed(
            _("“%(code)s” is not a flag of this assessment awaiting confirmation.") % {"code": unknown[0]},
            "flags",
        )
    if not decidable:
        raise ValidationFailed(_("No flag of this assessment awaits your confirmation."), "flags")
    return decidable


def confirm_flags(
    actor: Any, assessment: Assessment, confirmed: Iterable[str], *, expected_version: int
) -> Assessment:
    """Decide the completed assessment's pending flags: those in `confirmed` (vulnerability
    codes) are confirmed and set on the case (through the cases app's own action, which
    keeps the items of groups the actor cannot see), the others are not confirmed. Flags of
    a group the actor does not hold stay pending for someone who does."""
    case = assessment.case
    require(actor, case, Perm.ASSESSMENT_RECORD)
    check_version(assessment, expected_version)
    if assessment.status != AssessmentStatus.COMPLETED:
        raise ValidationFailed(_("Complete the assessment before confirming its flags."), "flags")
    groups = groups_on_case(actor, case)
    wanted = set(confirmed)
    with transaction.atomic():
        hold_case(case)
        # Under the assessment's row lock, so of two decisions made from the same read one
        # wins and the other is a Conflict, not a decision on flags already decided.
        locked = (
            Assessment.objects.select_for_update().filter(pk=assessment.pk).values_list("version", flat=True)
        )
        if locked.first() != expected_version:
            raise Conflict()
        decidable = _decidable(assessment, groups, wanted)
        now = timezone.now()
        yes = sorted(code for code in decidable if code in wanted)
        no = sorted(code for code in decidable if code not in wanted)
        for code, flag in decidable.items():
            flag.decision = FlagDecision.CONFIRMED if code in wanted else FlagDecision.DECLINED
            flag.decided_by = actor
            flag.decided_at = now
            flag.save(update_fields=["decision", "decided_by", "decided_at"])
        assessment.updated_at = now
        save_versioned(assessment, expected_version, ["updated_at"])
        if yes:
            case = Case.objects.get(pk=case.pk)  # read again under the lock hold_case took
            current = list(case.vulnerabilities.all())
            added = [decidable[code].vulnerability for code in yes]
            update_case_details(
                actor,
                case,
                expected_version=case.version,
                category=None,
                vulnerabilities=[v for v in current if shows(groups, v.sensitive_group)]
                + [v for v in added if v not in current],
                intended_return_date=case.intended_return_date,
                assigned_workers=list(case.assigned_workers.all()),
            )
        record(
            actor,
            "assessment.confirm_flags",
            assessment,
            case_uuid=case.uuid,
            changes={"confirmed": [[], yes], "declined": [[], no]},
        )
        events.emit(
            FlagsConfirmed(
                case_id=case.pk, assessment_uuid=assessment.uuid, confirmed=tuple(yes), declined=tuple(no)
            )
        )
    return assessment
