"""The service and stakeholder map: who offers which services where, on what terms, how
well, and the other actors of reintegration. No returnee's data lives here; a provider's
contacts are professional ones."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from remis.lib.text import translated


class Sector(models.Model):
    """A sector of services (health, vocational training, …), seeded from defaults/sectors.yaml;
    `names` holds the translations by language code."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    names = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return translated(self.name, self.names)


class ProviderKind(models.TextChoices):
    GOVERNMENT = "government", _("Government")  # a ministry, municipality or public agency
    NGO = "ngo", _("NGO")  # national or international non-governmental organisation
    PRIVATE = "private", _("Private")  # a business, private clinic or school
    UN_AGENCY = "un_agency", _("UN agency")
    COMMUNITY = "community_based", _("Community-based")  # associations, religious groups


class Provider(models.Model):
    """A service provider on the map. Edited with optimistic locking (`version`)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=ProviderKind.choices)
    sectors = models.ManyToManyField(Sector, related_name="providers", verbose_name=_("sectors"))
    services = models.TextField(_("services offered"), blank=True)
    country = models.CharField(_("country"), max_length=2)  # ISO 3166-1 alpha-2 (XK: Kosovo)
    # Administrative areas as written locally (region or governorate; district or town):
    # no shared gazetteer covers every country of origin.
    area_1 = models.CharField(_("region"), max_length=120, blank=True)
    area_2 = models.CharField(_("district or town"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    eligibility = models.TextField(_("eligibility and intake criteria"), blank=True)
    # Barriers to access, as a counsellor must explain them before return.
    documents_required = models.TextField(_("documents required"), blank=True)
    cost = models.CharField(_("cost"), max_length=300, blank=True)
    distance = models.CharField(_("distance and transport"), max_length=300, blank=True)
    safety = models.CharField(_("safety"), max_length=300, blank=True)
    capacity = models.CharField(_("capacity"), max_length=200, blank=True)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    last_verified_on = models.DateField(_("last verified"), null=True, blank=True)
    # The provider's own organisation in REMIS, when its staff have accounts (the referrals
    # app's provider inbox follows this link).
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_providers",
        verbose_name=_("organisation in REMIS"),
    )
    # Folded (lower case, no accents) copies for search: name, areas, eligibility,
    # services, languages; areas alone; languages alone.
    search_text = models.TextField(default="", editable=False)
    area_text = models.CharField(max_length=300, default="", editable=False)
    language_text = models.CharField(max_length=200, default="", editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["country", "active"], name="provider_country"),
            models.Index(fields=["name"], name="provider_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def area_label(self) -> str:
        from remis.lib.text import list_separator  # "، " in Arabic

        return list_separator().join(part for part in (self.area_2, self.area_1) if part)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class QualityAssessment(models.Model):
    """One assessment of a provider's quality on a day; never edited, a later one follows."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="quality")
    assessed_on = models.DateField(_("date"))
    score = models.PositiveSmallIntegerField(_("score"))  # 1 (poor) to 5 (excellent)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # The form's own key (new at each drawing of the form): the same form sent again (Back,
    # then the button) is refused instead of recording the assessment twice.
    form_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="quality_score_1_to_5"
            ),
        ]


class StakeholderKind(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    NGO = "ngo", _("NGO")
    PRIVATE = "private", _("Private")
    UN_AGENCY = "un_agency", _("UN agency")
    COMMUNITY = "community_based", _("Community-based")
    DONOR = "donor", _("Donor")
    ACADEMIC = "academic", _("Academic or research")
    OTHER = "other", _("Other")


class PartnershipStatus(models.TextChoices):
    NONE = "none", _("No partnership")  # known, not engaged
    PROSPECTIVE = "prospective", _("Prospective")  # being discussed
    ACTIVE = "active", _("Active partnership")  # an agreement or regular cooperation
    ENDED = "ended", _("Ended")


class Stakeholder(models.Model):
    """An actor of reintegration that is not a service provider (a ministry, a chamber of
    commerce, a diaspora association…), with what it can bring and what it wants."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=StakeholderKind.choices)
    country = models.CharField(_("country"), max_length=2)
    capacity = models.TextField(_("capacity"), blank=True)
    interest = models.TextField(_("interest"), blank=True)
    partnership_status = models.CharField(
        _("partnership status"), max_length=16, choices=PartnershipStatus.choices, default="none"
    )
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
