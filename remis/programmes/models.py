from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from remis.lib.text import translated


class ConfigurationItem(models.Model):
    """A configurable list entry seeded from defaults/*.yaml; `code` is stable, `name` is for
    people (English), `names` its translations by language code ({"fr": ..., "ar": ...})."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    names = models.JSONField(default=dict, blank=True)
    # The sensitive field group this item belongs to (`SensitiveGroup`: health, protection,
    # psychosocial, identity), blank for none: a case's item is shown only to holders of
    # that group's permission, as "Restricted" to others.
    sensitive_group = models.CharField(max_length=16, blank=True, default="")
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.label

    @property
    def sensitive(self) -> bool:
        return bool(self.sensitive_group)

    @property
    def label(self) -> str:
        """The name in the reader's language."""
        return translated(self.name, self.names)

    @property
    def group_label(self) -> str:
        """The sensitive group's name in the reader's language; blank for none."""
        from remis.accounts.permissions import SensitiveGroup

        return SensitiveGroup(self.sensitive_group).label if self.sensitive_group else ""


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
    # The funder as written when the programme was set up: shown when no funder organisation
    # is linked (`funders`), which is what donors' statistics follow.
    funder = models.CharField(_("funder"), max_length=200)
    funders = models.ManyToManyField(
        "accounts.Organisation", blank=True, related_name="funded_programmes", verbose_name=_("funders")
    )
    host_countries = models.JSONField(_("host countries"), default=list)  # ISO alpha-2
    origin_countries = models.JSONField(_("countries of origin"), default=list)  # ISO alpha-2
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"), null=True, blank=True)
    eligible_categories = models.ManyToManyField(MigrantCategory, blank=True)
    # Grants, response times and other settings that change over a programme's life are
    # versioned: ProgrammeSettings, read through queries.settings_on(programme, day).
    active = models.BooleanField(_("active"), default=True)
    # Raised by every change to the programme or its partners: an edit made from an older
    # read is refused (actions.check_programme_version), so two managers editing at once
    # never silently overwrite each other.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def funder_label(self) -> str:
        """The linked funder organisations' names, or the funder as written."""
        names = [o.name for o in self.funders.all()]
        return ", ".join(names) if names else self.funder


class ProgrammeSettings(models.Model):
    """One version of a programme's settings, in force from `effective_from`.

    Which version applies on a day: the one with the latest `effective_from` on or before
    that day; of two with the same day, the later recorded (a correction). A day before the
    first version is governed by the first version. Versions are never edited: a change is
    a new version, so a record made under an earlier one (a submission's due date) can name
    it and it stays readable. A later setting is a new typed column with a default (the
    value implicitly in force before), a line in `programme_settings.SETTINGS` and one in
    defaults/programme_settings.yaml; settings naming later apps' objects (an instrument,
    an indicator framework) hold their codes, since this app may not import those apps."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="settings_versions")
    effective_from = models.DateField(_("effective from"))
    # Days a reintegration partner has to accept or reject a submitted case before the
    # submission is flagged as overdue to both sides.
    submission_response_days = models.PositiveSmallIntegerField(_("days to answer a submission"))
    currency = models.CharField(_("currency"), max_length=3)  # ISO 4217, of the grants below
    grant_per_person = models.DecimalField(_("grant per person"), max_digits=12, decimal_places=2)
    grant_per_family = models.DecimalField(_("grant per family"), max_digits=12, decimal_places=2)
    # Aggregate counts from 1 to threshold - 1 are shown as "<threshold" to those who may
    # read aggregates only (donors).
    small_cell_threshold = models.PositiveSmallIntegerField(_("small-cell threshold"))
    # Years a closed case is kept whole after its closure; then the retention job anonymises
    # it (cases/actions/retention.py). 0: kept whole.
    retention_years = models.PositiveSmallIntegerField(_("years kept after closure"), default=0)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_from", "-created_at", "-id"]
        indexes = [models.Index(fields=["programme", "effective_from"], name="programme_settings_day")]
        verbose_name_plural = "programme settings"

    def __str__(self) -> str:
        return f"{self.programme_id} from {self.effective_from}"


class Grouping(models.Model):
    """A named set of countries reports can group by, besides the UN M49 regions (which are
    shipped data, programmes/defaults/m49.yaml). `scheme` gathers groupings used together,
    e.g. the regions of the 2010 AVRR annual report."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    names = models.JSONField(default=dict, blank=True)  # translations by language code
    scheme = models.SlugField(max_length=64, blank=True)
    source = models.CharField(max_length=300, blank=True)  # where the definition comes from

    class Meta:
        ordering = ["scheme", "name"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return translated(self.name, self.names)


class GroupingCountry(models.Model):
    grouping = models.ForeignKey(Grouping, on_delete=models.CASCADE, related_name="members")
    country = models.CharField(max_length=2)  # ISO 3166-1 alpha-2, or XK for Kosovo

    class Meta:
        constraints = [models.UniqueConstraint(fields=["grouping", "country"], name="one_grouping_country")]
        indexes = [models.Index(fields=["country"], name="grouping_country")]


class ShippedValues(models.Model):
    """What `sync_defaults` last applied to a shipped configuration item (a role, a migrant
    category, …). An item whose current values differ from these was changed by an
    administrator, and sync leaves it alone."""

    kind = models.CharField(max_length=64)  # the model's label, "accounts.role"
    code = models.CharField(max_length=64)
    values = models.JSONField()
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="one_shipped_values")]


class PartnerRole(models.TextChoices):
    HOST_COORDINATOR = "host_coordinator", _("Host-country coordinator")  # registers, submits, confirms
    REINTEGRATION_PARTNER = "reintegration_partner", _("Reintegration partner")  # receives cases
    IMPLEMENTING = "implementing", _("Implementing organisation")  # other implementers


class CurrentPartners(models.Manager["ProgrammePartner"]):
    """Partnerships not ended: what `programme.partners` and every query reads."""

    def get_queryset(self) -> models.QuerySet[ProgrammePartner]:
        return super().get_queryset().filter(ended_at__isnull=True)


class ProgrammePartner(models.Model):
    """An organisation implementing a programme, in a role, for some of its countries.

    A partnership that ends is kept, with `ended_at` (deletions are soft): the default
    manager, and so `programme.partners`, reads the current ones; `all_partnerships`
    every one. The organisation can become a partner in that role again (a new row)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="programme_roles"
    )
    role = models.CharField(max_length=32, choices=PartnerRole.choices)
    countries = models.JSONField(default=list)  # where it acts for this programme
    ended_at = models.DateTimeField(null=True, blank=True)

    all_partnerships = models.Manager()
    objects = CurrentPartners()

    class Meta:
        default_manager_name = "objects"  # what `programme.partners` reads: current partners
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organisation", "role"],
                condition=models.Q(ended_at__isnull=True),
                name="one_partner_role",
            ),
        ]
