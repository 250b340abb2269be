from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from remis.audit.labels import action_label


class AuditEntry(models.Model):
    """One write: who, when, what, and each field's value before and after.

    Append-only: the model refuses updates and deletes, and database triggers (migration
    0003) refuse them from raw SQL too, as well as rewriting an entry by inserting over it
    (SQLite's `REPLACE`), inserting before the latest entry or with an earlier time, and
    emptying the table (PostgreSQL's `TRUNCATE`). Entries are written only by
    `remis.audit.actions.record`, which chains each to the one before (`remis.audit.chain`).

    On SQLite, a migration that alters this table rebuilds it and loses its triggers: such a
    migration must reinstall them (see 0003); the audit tests fail if it does not.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)  # e.g. "case.transition"
    object_type = models.CharField(max_length=64)  # e.g. "cases.case"
    object_id = models.CharField(max_length=64)
    # The case this write belongs to, by UUID, so a case's history is one indexed query
    # without the audit app depending on the cases app.
    case_uuid = models.UUIDField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)  # {field: [before, after]}
    # Which of the changed fields held personal values when the entry was written
    # (remis.audit.registry): the chain leaves their values out, and erasure blanks them.
    personal_fields = models.JSONField(default=list, blank=True)
    # SHA-256 chaining this entry to the one before it (remis.audit.chain).
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["case_uuid", "-at"], name="audit_case_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit entries are append-only")

    @property
    def action_label(self) -> str:
        """The action as people read it, in their language."""
        return action_label(self.action)


class SubjectKey(models.Model):
    """The key that seals one data subject's personal values in the log (see
    `remis.audit.sealing`). Destroying it (`key` None, `shredded_at` set) erases those
    values everywhere in the log at once; the row stays as the record that it happened."""

    subject = models.CharField(max_length=96, unique=True)  # "cases.person:12", "case:<uuid>"
    key = models.BinaryField(null=True)
    created_at = models.DateTimeField(default=timezone.now)
    shredded_at = models.DateTimeField(null=True, blank=True)


class ReadChannel(models.TextChoices):
    PAGE = "page", gettext_lazy("Case page")
    API = "api", gettext_lazy("API")
    SUBJECT_ACCESS = "access", gettext_lazy("Subject access export")
    DOCUMENT = "document", gettext_lazy("A file of the case downloaded")  # a passport scan, a receipt
    # A page of one of its records: every row read "Case page", the focal point unable to
    # tell an opening of the case from one of its plan or a follow-up round.
    RECORD = "record", gettext_lazy("A record of the case (its plan, a round, a referral, an assessment)")


class CaseRead(models.Model):
    """One opening of a case by someone: who, when, which case, through which organisation
    and channel, and which sensitive field groups were shown to them (the groups they hold
    on that case). The read log that an organisation's data-protection focal point reviews
    (`remis/audit/reads.py`). It holds no personal data of the returnee: the case's UUID and
    reference only. Written by `reads.note_case_read`; never changed."""

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case_uuid = models.UUIDField()
    case_reference = models.CharField(max_length=32)
    channel = models.CharField(max_length=8, choices=ReadChannel.choices)
    groups = models.JSONField(default=list, blank=True)  # sensitive group codes shown

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "-at"], name="read_org_at"),
            models.Index(fields=["case_uuid", "-at"], name="read_case_at"),
            models.Index(fields=["actor", "-at"], name="read_actor_at"),
        ]


class SentForm(models.Model):
    """The key of a form that was recorded (`remis/audit/once.py`): the same form sent again
    — Back and the button again, a double click, an API client retrying after a timeout — is
    refused instead of recorded twice. Holds no personal data: a random key and the action."""

    key = models.UUIDField(unique=True)
    action = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)
