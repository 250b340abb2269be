"""Indicator frameworks: the indicators a programme reports against, as versioned data.

A framework moves draft → active → retired; only a draft is edited, and activating one
retires the active version of the same framework. An indicator's computation is data too,
chosen from a fixed set of aggregations over the analytics copy (`computation.py`): no
code is stored or run."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from remis.lib.text import translated


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class Dimension(models.TextChoices):
    ECONOMIC = "economic", _("Economic")
    SOCIAL = "social", _("Social")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")
    OVERALL = "overall", _("Reintegration overall")
    PROCESS = "process", _("Service delivery")


class Level(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COMMUNITY = "community", _("Community")
    STRUCTURAL = "structural", _("Structural")
    PROCESS = "process", _("Process")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Framework(models.Model):
    """One version of a framework (`code` names the framework, `number` the version)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=40)
    number = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Translations by language code ({"fr": …, "ar": …}): a French or Arabic ministry report
    # read every indicator in English.
    names = models.JSONField(default=dict, blank=True)
    descriptions = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic lock

    class Meta:
        ordering = ["code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["code", "number"], name="framework_code_number"),
            # At most one active version and one draft of a framework at a time.
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(status="active"), name="framework_one_active"
            ),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(status="draft"), name="framework_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    @property
    def label(self) -> str:
        """The name in the reader's language, when a translation is recorded."""
        return translated(self.name, self.names)

    @property
    def description_text(self) -> str:
        return translated(self.description, self.descriptions)


class Indicator(models.Model):
    """An indicator of a framework version: what it measures and how it is computed
    (`computation`, checked by `computation.parse_spec`), its targets per period and where
    it applies (programmes and countries of origin; none: everywhere)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveIntegerField(default=0)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    definition = models.TextField(_("definition"), blank=True)
    names = models.JSONField(default=dict, blank=True)  # translations by language code
    definitions = models.JSONField(default=dict, blank=True)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    core = models.BooleanField(_("core indicator"), default=True)
    computation = models.JSONField(_("computation"), default=dict)
    disaggregations = models.JSONField(_("disaggregations"), default=list, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=4, null=True, blank=True)
    targets = models.JSONField(_("targets"), default=dict, blank=True)  # {"2026": "0.6", "2026-Q1": …}
    programmes = models.ManyToManyField("programmes.Programme", blank=True, related_name="+")
    countries = models.JSONField(_("countries of origin"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["framework", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="indicator_code_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def label(self) -> str:
        """The name in the reader's language, when a translation is recorded."""
        return translated(self.name, self.names)

    @property
    def definition_text(self) -> str:
        return translated(self.definition, self.definitions)
