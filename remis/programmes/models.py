from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def translated(name: str, names: dict[str, str] | None, language: str | None = None) -> str:
    """`name` in `language` (default: the active one) when a translation is recorded."""
    code = (language or get_language() or "en").split("-")[0]
    return (names or {}).get(code) or name


class ConfigurationItem(models.Model):
    """A configurable list entry seeded from defaults/*.yaml; `code` is stable, `name` is for
    people (English), `names` its translations by language code ({"fr": ..., "ar": ...})."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    names = models.JSONField(default=dict, blank=True)
    # Health, protection and trafficking details: shown only with case.view_sensitive.
    sensitive = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language."""
        return translated(self.name, self.names)


class MigrantCategory(ConfigurationItem):
    """Seeded from defaults/migrant_categories.yaml."""

    class Meta(ConfigurationItem.Meta):
        verbose_name_plural = "migrant categories"


class Vulnerability(ConfigurationItem):
    """Seeded from defaults/vulnerabilities.yaml."""

    class Meta(ConfigurationItem.Meta):
        verbose_name_plural = "vulnerabilities"


class Programme(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    funder = models.CharField(_("funder"), max_length=200)
    host_countries = models.JSONField(_("host countries"), default=list)  # ISO alpha-2
    origin_countries = models.JSONField(_("countries of origin"), default=list)  # ISO alpha-2
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"), null=True, blank=True)
    eligible_categories = models.ManyToManyField(MigrantCategory, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")  # ISO 4217
    grant_per_person = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    grant_per_family = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    # Days a reintegration partner has to accept or reject a submitted case before the
    # submission is flagged as overdue to both sides.
    submission_response_days = models.PositiveSmallIntegerField(default=10)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerRole(models.TextChoices):
    HOST_COORDINATOR = "host_coordinator", _("Host-country coordinator")  # registers, submits, confirms
    REINTEGRATION_PARTNER = "reintegration_partner", _("Reintegration partner")  # receives cases
    IMPLEMENTING = "implementing", _("Implementing organisation")  # other implementers


class ProgrammePartner(models.Model):
    """An organisation implementing a programme, in a role, for some of its countries."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="programme_roles"
    )
    role = models.CharField(max_length=32, choices=PartnerRole.choices)
    countries = models.JSONField(default=list)  # where it acts for this programme

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "organisation", "role"], name="one_partner_role"),
        ]
