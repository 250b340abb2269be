"""Sharing a case with a reintegration partner, as in the EU's RIAT: submit, then the
partner accepts or rejects with a reason; a rejected case can be corrected and resubmitted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.accounts.models import Organisation
from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.audit.actions import record
from remis.cases import fields as field_rules
from remis.cases.actions.common import hold_case, require
from remis.cases.actions.validation import check_fields
from remis.cases.events import SubmissionAnswered, SubmissionSent
from remis.cases.lifecycle import SUBMISSION_TRANSITIONS, can_change
from remis.cases.models import (
    AccessReason,
    Case,
    CaseAccess,
    ConsentPurpose,
    Submission,
    SubmissionStatus,
    listing_values,
)
from remis.lib import events
from remis.lib.errors import PermissionDenied, TransitionRefused, ValidationFailed
from remis.programmes.queries import origin_partners, settings_on


def submit_case(actor: Any, case: Case, to_organisation: Organisation, message: str = "") -> Submission:
    require(actor, case, Perm.CASE_SUBMIT)
    check_fields(field_rules.SUBMISSION, message=message.strip())
    if case.is_closed:
        raise TransitionRefused(_("A closed case is not submitted to a partner: reopen it first."))
    if not case.has_consent(ConsentPurpose.SHARING):
        withdrawn = case.consents.filter(purpose=ConsentPurpose.SHARING).exists()
        raise ValidationFailed(
            # About the case, not the partner chosen: the form says it above its fields.
            _("The returnee withdrew or refused consent to sharing with partners: the case is not submitted.")
            if withdrawn
            else _("Record the returnee's consent to sharing with partners before submitting the case."),
            None,
        )
    if case.processing_withdrawn():
        raise ValidationFailed(
            _("The returnee withdrew consent to the processing of personal data: the case is not submitted."),
            None,
        )
    partners = origin_partners(case.programme, case.origin_country)
    if not partners.filter(pk=to_organisation.pk).exists():
        raise ValidationFailed(
            _("%(organisation)s is not a reintegration partner of this programme in the country of origin.")
            % {"organisation": to_organisation.name},
            "to_organisation",
        )
    now = timezone.now()
    terms = settings_on(case.programme, timezone.localdate(now))
    with transaction.atomic():
        # Lock the case, then check: of two concurrent submissions, the second waits and
        # sees the first (SQLite's IMMEDIATE transactions serialise writers the same way),
        # and the constraint one_open_submission_per_case stops anything that slips by.
        hold_case(case)
        open_statuses = [SubmissionStatus.PENDING, SubmissionStatus.ACCEPTED]
        if case.submissions.filter(status__in=open_statuses).exists():
            raise ValidationFailed(_("The case is already submitted or accepted."), "to_organisation")
        try:
            with transaction.atomic():
                submission = Submission.objects.create(
                    case=case,
                    from_organisation=case.registering_organisation,
                    to_organisation=to_organisation,
                    message=message.strip(),
                    submitted_at=now,
                    submitted_by=actor,
                    due_at=now + dt.timedelta(days=terms.submission_response_days),
                    settings_version=terms if terms.pk is not None else None,
                )
        except IntegrityError as exc:
            raise ValidationFailed(
                _("The case is already submitted or accepted."), "to_organisation"
            ) from exc
        # The partner sees the case while deciding; a rejection takes that access back.
        CaseAccess.objects.update_or_create(
            case=case,
            organisation=to_organisation,
            defaults={
                "reason": AccessReason.SUBMITTED,
                "revoked_at": None,
                "granted_at": now,
                **listing_values(case),
            },
        )
        record(
            actor,
            "case.submit",
            submission,
            case_uuid=case.uuid,
            organisation_id=to_organisation.pk,
            changes={
                "to_organisation": [None, to_organisation.pk],
                "status": [None, SubmissionStatus.PENDING],
                **({"message": [None, submission.message]} if submission.message else {}),
            },
        )
        events.emit(
            SubmissionSent(
                case_id=case.pk, submission_id=submission.pk, to_organisation_id=to_organisation.pk
            )
        )
    return submission


def _moment(at: Any) -> str:
    from django.utils.formats import date_format

    return date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT")


def submitted_meanwhile(case: Case) -> str:
    """Why a submission form sent from a page opened before a colleague submitted the case
    found no partner to choose (the case is pending with one): said, with who and when; blank
    when the case waits on no partner ("correct the fields marked in red" marked none)."""
    pending = (
        Submission.objects.filter(case=case, status=SubmissionStatus.PENDING)
        .select_related("to_organisation", "submitted_by")
        .order_by("-submitted_at")
        .first()
    )
    if pending is None:
        return ""
    return str(
        _("Nothing was saved: meanwhile %(name)s submitted this case to %(partner)s on %(when)s.")
        % {
            "name": pending.submitted_by.display_name,
            "partner": pending.to_organisation.name,
            "when": _moment(pending.submitted_at),
        }
    )


def _answered_already(submission: Submission) -> str:
    """The refusal of a second answer, saying what the first was, who gave it and when
    (from another tab, or by a colleague): "already answered" left the person guessing."""
    submission.refresh_from_db()
    if submission.responded_at is None or submission.responded_by is None:
        return str(_("This submission has already been answered."))
    return str(
        _("This submission has already been answered: %(status)s by %(name)s on %(when)s.")
        % {
            "status": submission.get_status_display().lower(),
            "name": submission.responded_by.display_name,
            "when": _moment(submission.responded_at),
        }
    )


def respond_to_submission(
    actor: Any, submission: Submission, *, accept: bool, reason: str = ""
) -> Submission:
    """The partner's answer. Only a member of the receiving organisation may give it."""
    case = submission.case
    require(actor, case, Perm.CASE_VIEW)
    if not any(
        g.organisation_id == submission.to_organisation_id for g in grants_with(actor, Perm.CASE_RESPOND)
    ):
        raise PermissionDenied()
    target = SubmissionStatus.ACCEPTED if accept else SubmissionStatus.REJECTED
    if not can_change(SUBMISSION_TRANSITIONS, submission.status, target):
        raise ValidationFailed(_answered_already(submission), "status")
    if not accept and not reason.strip():
        raise ValidationFailed(_("Say why the case is rejected, so the sender can correct it."), "reason")
    check_fields(field_rules.SUBMISSION, reason=reason.strip())
    now = timezone.now()
    status = SubmissionStatus.ACCEPTED if accept else SubmissionStatus.REJECTED
    rejection_reason = "" if accept else reason.strip()
    with transaction.atomic():
        # Answer only a submission still pending, in one conditional UPDATE: of an accept
        # and a reject racing, exactly one changes the row; the other is told it is answered.
        answered = Submission.objects.filter(pk=submission.pk, status=SubmissionStatus.PENDING).update(
            status=status, responded_at=now, responded_by=actor, rejection_reason=rejection_reason
        )
        if answered == 0:
            raise ValidationFailed(_answered_already(submission), "status")
        submission.refresh_from_db()
        access = CaseAccess.objects.get(case=case, organisation_id=submission.to_organisation_id)
        if accept:
            access.reason = AccessReason.ACCEPTED
        else:
            access.revoked_at = now
        access.save(update_fields=["reason", "revoked_at"])
        record(
            actor,
            "case.accept" if accept else "case.reject",
            submission,
            case_uuid=case.uuid,
            organisation_id=submission.to_organisation_id,
            changes={
                "status": [SubmissionStatus.PENDING, submission.status],
                "rejection_reason": ["", submission.rejection_reason],
            },
        )
        events.emit(
            SubmissionAnswered(
                case_id=case.pk,
                submission_id=submission.pk,
                to_organisation_id=submission.to_organisation_id,
                accepted=accept,
            )
        )
    return submission
