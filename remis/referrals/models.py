"""Referrals of plan items to service providers, with what was shared and their answers.

A Referral goes from an assistance item (route "referral") of the plan in force to an active
provider. `shared` is the snapshot of exactly what the provider was given when it was sent;
the provider's pages show only that. The status moves along REFERRAL_TRANSITIONS, one
conditional update at a time (`version`), so two people answering at once never both win.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    # In context: French and Arabic agree each with "referral" (feminine), where the same
    # words elsewhere agree with other nouns.
    SENT = "sent", pgettext_lazy("referral status", "Sent")  # waiting for the provider's answer
    ACCEPTED = "accepted", pgettext_lazy("referral status", "Accepted")
    DECLINED = "declined", pgettext_lazy("referral status", "Declined")  # with a reason
    IN_PROGRESS = "in_progress", pgettext_lazy("referral status", "In progress")
    COMPLETED = "completed", pgettext_lazy("referral status", "Completed")  # with an outcome and date
    FAILED = "failed", pgettext_lazy("referral status", "Failed")  # with an outcome and date
    CANCELLED = (
        "cancelled",
        pgettext_lazy("referral status", "Cancelled"),
    )  # by the case worker, or when consent is withdrawn


class Outcome(models.TextChoices):
    SUCCESSFUL = "successful", _("Successful")
    PARTLY = "partly", _("Partly successful")
    NOT = "not", _("Not successful")


# The provider's answers, and the case worker's cancelling, by status.
REFERRAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.SENT: (Status.ACCEPTED, Status.DECLINED, Status.CANCELLED),
    Status.ACCEPTED: (Status.IN_PROGRESS, Status.COMPLETED, Status.FAILED, Status.CANCELLED),
    Status.IN_PROGRESS: (Status.COMPLETED, Status.FAILED, Status.CANCELLED),
    Status.DECLINED: (),
    Status.COMPLETED: (),
    Status.FAILED: (),
    Status.CANCELLED: (),
}
OPEN = (Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS)
# What the provider does (cancelling is the case worker's).
ANSWERS = (Status.ACCEPTED, Status.DECLINED, Status.IN_PROGRESS, Status.COMPLETED, Status.FAILED)


class ReferralRules(models.Model):
    """One version of a programme's referral rules (`programme` None: the shipped defaults)."""

    programme = models.ForeignKey(
        "programmes.Programme", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    effective_from = models.DateField(_("effective from"))
    overdue_days = models.PositiveSmallIntegerField(_("days before an unanswered referral is overdue"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_from", "-created_at", "-id"]


# The reason REMIS gives a referral it cancels when the consent to share is withdrawn: kept
# in English, as written here, and shown in the reader's language (`Referral.cancel_reason_shown`).
WITHDRAWN_REASON = gettext_noop("Consent to share with service providers was withdrawn.")
# And when the item referred is cancelled in the plan (assistance's ItemStatusChanged).
ITEM_CANCELLED_REASON = gettext_noop("The plan item was cancelled.")
# And when the case is closed (cases' CaseClosed): nobody follows the delivery any more.
CASE_CLOSED_REASON = gettext_noop("The case was closed.")
# And when consent to the processing of personal data at all is withdrawn.
PROCESSING_WITHDRAWN_REASON = gettext_noop("Consent to the processing of personal data was withdrawn.")
SYSTEM_REASONS = (WITHDRAWN_REASON, ITEM_CANCELLED_REASON, CASE_CLOSED_REASON, PROCESSING_WITHDRAWN_REASON)


class Referral(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="referrals")
    item = models.ForeignKey("assistance.AssistanceItem", on_delete=models.PROTECT, related_name="referrals")
    item_key = models.UUIDField()  # the item across plan versions
    item_type = models.CharField(max_length=64)  # the assistance type's code, for the funnel
    provider = models.ForeignKey("services.Provider", on_delete=models.PROTECT, related_name="referrals")
    sector = models.CharField(max_length=64, blank=True)  # the matching sector's code
    country = models.CharField(max_length=2)  # the provider's country, for the funnel
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SENT)
    message = models.CharField(_("message to the provider"), max_length=1000, blank=True)
    # What the provider was given: [{"field", "value", "group"}], and the fields held back.
    shared = models.JSONField(default=list)
    withheld = models.JSONField(default=list)
    consent = models.ForeignKey("cases.Consent", on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField()  # unanswered after this day: overdue
    answered_at = models.DateTimeField(null=True, blank=True)  # accepted or declined
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # completed, failed, declined, cancelled
    decline_reason = models.CharField(_("reason"), max_length=500, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(_("outcome date"), null=True, blank=True)
    outcome_note = models.CharField(_("note"), max_length=500, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    # Consent withdrawn: the provider no longer sees this referral at all.
    revoked = models.BooleanField(default=False)
    last_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_on_behalf = models.BooleanField(default=False)  # the last answer was recorded for the provider
    version = models.PositiveIntegerField(default=1)

    # Set by the reads for one reader on the case side: the item's type is in a sensitive
    # group they do not hold, so it reads "Restricted" (remis/cases/policy.py).
    restricted = False

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["provider", "status"], name="referral_provider_status"),
            models.Index(fields=["status", "due_on"], name="referral_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.provider_id}"

    @property
    def cancel_reason_shown(self) -> str:
        """The reason for cancelling as the reader reads it: REMIS's own in their language,
        a person's as they wrote it."""
        return gettext(self.cancel_reason) if self.cancel_reason in SYSTEM_REASONS else self.cancel_reason

    @property
    def shared_reference(self) -> str:
        """The case reference as the provider was given it ("" when not shared)."""
        return next((str(row["value"]) for row in self.shared if row.get("field") == "reference"), "")

    @property
    def open(self) -> bool:
        return self.status in OPEN

    @property
    def overdue(self) -> bool:
        return self.status == Status.SENT and self.due_on < timezone.localdate()
