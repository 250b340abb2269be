"""Community projects: community-based reintegration initiatives in countries of origin
(an income-generating activity, a rehabilitated school, a tree nursery…) that returnees and
members of their communities take part in. Returnees take part as cases (`Participant`);
community members are counted by sex and age group, never named."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProjectType(models.TextChoices):
    INCOME = "income_generating", _("Income-generating activity")
    INFRASTRUCTURE = "infrastructure", _("Community infrastructure")
    SERVICES = "community_services", _("Community services (health, education, water)")
    TRAINING = "skills_training", _("Skills training and employment")
    ENVIRONMENT = "environment", _("Environment and agriculture")
    COHESION = "social_cohesion", _("Social cohesion and psychosocial support")


class ProjectStatus(models.TextChoices):
    PREPARATION = "preparation", _("In preparation")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


# The policy frameworks a project contributes to, as programmes report them: SDG targets
# 10.7 (orderly, safe migration), 10.2 (inclusion), 17.17 (partnerships), 17.9 (capacity
# building) and objective 21 of the Global Compact for Migration (safe return, sustainable
# reintegration).
class ProjectTag(models.TextChoices):
    SDG_10_7 = "sdg_10_7", _("SDG target 10.7: orderly, safe and responsible migration")
    SDG_10_2 = "sdg_10_2", _("SDG target 10.2: social, economic and political inclusion")
    SDG_17_17 = "sdg_17_17", _("SDG target 17.17: public, public-private and civil society partnerships")
    SDG_17_9 = "sdg_17_9", _("SDG target 17.9: capacity building")
    GCM_21 = (
        "gcm_21",
        _("Global Compact for Migration, objective 21: safe return and sustainable reintegration"),
    )


# Community members are counted in these groups (the sex as the project records it).
MEMBER_SEXES = (("F", _("Women and girls")), ("M", _("Men and boys")))
MEMBER_AGES = (("0_17", _("under 18")), ("18_34", _("18 to 34")), ("35_plus", _("35 and over")))
MEMBER_GROUPS = tuple(f"{sex}_{age}" for sex, _label in MEMBER_SEXES for age, _age in MEMBER_AGES)


class CommunityProject(models.Model):
    """A community project. Edited with optimistic locking (`version`)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=32, choices=ProjectType.choices)
    sector = models.ForeignKey(
        "services.Sector", on_delete=models.PROTECT, related_name="+", verbose_name=_("sector")
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="community_projects",
        verbose_name=_("programme"),
    )
    # The organisation that runs it: the project's owner in REMIS.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    country = models.CharField(_("country"), max_length=2)  # ISO 3166-1 alpha-2 (XK: Kosovo)
    area_1 = models.CharField(_("region"), max_length=120, blank=True)
    area_2 = models.CharField(_("district or town"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PREPARATION
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)  # ISO 4217
    tags = models.JSONField(_("SDG and Global Compact tags"), default=list, blank=True)  # ProjectTag values
    # Community members taking part, by group (MEMBER_GROUPS: "F_0_17", "M_35_plus", …).
    members = models.JSONField(_("community members"), default=dict, blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    # Folded (lower case, no accents) name, areas and description, for search.
    search_text = models.TextField(default="", editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start_date", "name", "id"]
        indexes = [models.Index(fields=["country", "status"], name="project_country_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="project_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(budget__isnull=True) | models.Q(budget__gte=0),
                name="project_budget_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def member_count(self) -> int:
        return sum(int(self.members.get(group) or 0) for group in MEMBER_GROUPS)

    @property
    def area_label(self) -> str:
        from remis.lib.text import list_separator  # "، " in Arabic

        return list_separator().join(part for part in (self.area_2, self.area_1) if part)


class Participant(models.Model):
    """A returnee taking part in a project, through their case."""

    project = models.ForeignKey(CommunityProject, on_delete=models.CASCADE, related_name="participants")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="community_projects")
    joined_on = models.DateField(_("joined on"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["joined_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "case"], name="participant_once_per_project")
        ]
