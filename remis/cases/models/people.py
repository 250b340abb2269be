from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other")
    UNKNOWN = "U", _("Unknown")


class Person(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    given_name = models.CharField(_("given name"), max_length=120)
    family_name = models.CharField(_("family name"), max_length=120)
    # Other spellings met on documents or in transliteration, one per line.
    alternate_names = models.TextField(_("alternate spellings"), blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    # When only an approximate age is known, the estimated year of birth.
    birth_year_estimated = models.PositiveSmallIntegerField(
        _("estimated year of birth"), null=True, blank=True
    )
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address in the country of origin"), blank=True)
    version = models.PositiveIntegerField(default=1)
    # Set when the person's personal data was erased (remis/cases/actions/erasure.py).
    erased_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def birth_year(self) -> int | None:
        return self.date_of_birth.year if self.date_of_birth else self.birth_year_estimated


class PersonReference(models.Model):
    """An organisation's own identifier of a person, given by an import of household members
    (the principal applicant is found through the case's, `CaseAccess.external_id`). Unique
    per organisation, so each organisation sharing a case keeps its own. Kept when the
    person's data is erased: a later import of the same row finds the erased person and is
    refused, rather than bring the data back as a new person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="references")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    external_id = models.CharField(_("external ID"), max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "external_id"], name="person_external_id_once")
        ]


class DocumentKind(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    TRAVEL_DOCUMENT = "travel_document", _("Travel document / laissez-passer")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    OTHER = "other", _("Other")


class IdentityDocument(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identity_documents")
    kind = models.CharField(_("document type"), max_length=32, choices=DocumentKind.choices)
    number = models.CharField(_("document number"), max_length=64)
    issuing_country = models.CharField(_("issuing country"), max_length=2, blank=True)
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class ErasureReason(models.TextChoices):
    """Why a person's data was erased: a code, so the reason stays readable after it."""

    DATA_SUBJECT_REQUEST = "data_subject_request", _("The person asked for erasure")
    RECORDED_IN_ERROR = "recorded_in_error", _("Recorded in error")
    RETENTION_EXPIRED = "retention_expired", _("Retention period over")
    LEGAL_ORDER = "legal_order", _("Legal order")


class ErasureStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    DONE = "done", _("Erased")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Erasure(models.Model):
    """A request to erase a person's personal data, and its decision. Erasure cannot be
    undone, so it takes two people holding the erasure right: one asks, another approves
    (and the erasure runs then) or refuses; the one who asked may withdraw it. One pending
    request per person (a constraint)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="erasures")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="erasures")
    reason = models.CharField(max_length=32, choices=ErasureReason.choices)
    status = models.CharField(max_length=16, choices=ErasureStatus.choices, default=ErasureStatus.PENDING)
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)  # why it was refused or withdrawn

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(status="pending"), name="erasure_one_pending"
            )
        ]
