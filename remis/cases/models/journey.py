"""What happens to a case along the way: counselling, consent, needs, travel, reception."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CounsellingMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video call")


class CounsellingSession(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="counselling_sessions")
    held_on = models.DateField(_("date"))
    mode = models.CharField(
        _("mode"), max_length=16, choices=CounsellingMode.choices, default=CounsellingMode.IN_PERSON
    )
    counsellor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    interpreter_used = models.BooleanField(_("interpreter used"), default=False)
    topics = models.CharField(_("topics"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["held_on", "id"]


class ConsentPurpose(models.TextChoices):
    DATA_PROCESSING = "data_processing", _("Processing of personal data")
    SHARING = "sharing_with_partners", _("Sharing with partners")  # needed to submit the case
    FOLLOW_UP = "follow_up_contact", _("Follow-up contact for monitoring")
    PROVIDERS = "sharing_with_providers", _("Sharing with service providers")  # needed to refer


class Consent(models.Model):
    """One statement of consent for a purpose, given or withdrawn. The latest one counts;
    earlier ones stay as evidence."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=32, choices=ConsentPurpose.choices)
    given = models.BooleanField(_("given"))
    given_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Not stored: whether it is the statement that counts for its purpose (case_overview).
    in_force = True
    # For consent to share with service providers, given: the sensitive field groups
    # (SensitiveGroup values) the returnee agreed to share; empty shares none of them.
    groups = models.JSONField(_("sensitive groups covered"), default=list, blank=True)

    class Meta:
        ordering = ["given_on", "id"]

    @property
    def group_labels(self) -> list[str]:
        from remis.accounts.permissions import SensitiveGroup

        return [SensitiveGroup(g).label for g in self.groups if g in SensitiveGroup._value2member_map_]


class NeedKind(models.TextChoices):
    MEDICAL = "medical", _("Medical")
    DOCUMENTATION = "documentation", _("Travel or identity documents")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
    SHELTER = "shelter", _("Shelter before departure")
    LEGAL = "legal", _("Legal")
    OTHER = "other", _("Other")


class PreDepartureNeed(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="needs")
    kind = models.CharField(_("need"), max_length=32, choices=NeedKind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    addressed = models.BooleanField(_("addressed"), default=False)


class Escort(models.TextChoices):
    NONE = "none", _("None")
    SOCIAL = "social", _("Social escort")
    MEDICAL = "medical", _("Medical escort")
    FAMILY = "family", _("Family member")


class Fitness(models.TextChoices):
    NOT_ASSESSED = "not_assessed", _("Not assessed")
    FIT = "fit", _("Fit to travel")
    FIT_WITH_CONDITIONS = "conditions", _("Fit to travel with conditions")
    UNFIT = "unfit", _("Not fit to travel")


class ReturnTravel(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="travel")
    departure_date = models.DateField(_("departure date"), null=True, blank=True)
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    route = models.CharField(_("route"), max_length=200, blank=True, help_text=_("e.g. BRU – IST – CKY"))
    escort = models.CharField(_("escort"), max_length=16, choices=Escort.choices, default=Escort.NONE)
    medical_fitness = models.CharField(
        _("medical fitness to travel"), max_length=16, choices=Fitness.choices, default=Fitness.NOT_ASSESSED
    )
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(default=1)


class Reception(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="reception")
    received_on = models.DateField(_("date of reception"))
    airport_pickup = models.BooleanField(_("airport pick-up"), default=False)
    accommodation_nights = models.PositiveSmallIntegerField(_("nights of temporary accommodation"), default=0)
    nutrition = models.BooleanField(_("nutrition"), default=False)
    pocket_money = models.DecimalField(
        _("pocket money"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    pocket_money_currency = models.CharField(_("currency"), max_length=3, blank=True)
    onward_transport = models.BooleanField(_("onward transport"), default=False)
    urgent_medical_care = models.BooleanField(_("urgent medical care"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(default=1)


class Note(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]


def document_path(instance: CaseDocument, filename: str) -> str:
    # A random name: the original file name may hold personal data and stays in the row.
    import uuid

    return f"cases/{instance.case.uuid}/{uuid.uuid4().hex}"


class CaseDocument(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=document_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
