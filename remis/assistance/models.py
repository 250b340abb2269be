"""Reintegration plans: needs → goals → assistance items, in versions; approvals, instalments,
and the configuration they are decided by (types, proposals, thresholds, exchange rates).

A case has one Plan; the plan has numbered PlanVersions. Only an open version (draft or
returned) is edited; an approved version is changed by opening a new version, a copy, which
replaces it when it is approved in turn. Items keep a `key` across versions, so payments
recorded under one version count against the same item in the next.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from remis.programmes.models import ConfigurationItem


class Dimension(models.TextChoices):
    ECONOMIC = "economic", _("Economic")  # income, work, skills
    SOCIAL = "social", _("Social")  # housing, education, health care, documents
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")  # well-being, family, counselling


class Level(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")  # the returnee
    HOUSEHOLD = "household", _("Household")  # the returnee's household
    COMMUNITY = "community", _("Community")  # a project benefiting the community too


class Modality(models.TextChoices):
    CASH = "cash", _("Cash")
    IN_KIND = "in_kind", _("In kind")
    SERVICE = "service", _("Service")


class Route(models.TextChoices):
    DIRECT = "direct", _("Direct")  # delivered by the programme itself
    REFERRAL = "referral", _("Referral to a provider")  # the referral is recorded later


class ItemStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")  # in a plan not yet approved
    APPROVED = "approved", _("Approved")  # its plan version was approved
    IN_PROGRESS = "in_progress", _("In progress")  # delivery or payment started
    DELIVERED = "delivered", _("Delivered")  # fully delivered
    CANCELLED = "cancelled", _("Cancelled")  # dropped, with a reason


# Moves a person makes on an item of the plan in force. Planned → approved happens only by
# approving the plan (actions.approve_plan), never by hand.
ITEM_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ItemStatus.PLANNED: (ItemStatus.CANCELLED,),
    ItemStatus.APPROVED: (ItemStatus.IN_PROGRESS, ItemStatus.DELIVERED, ItemStatus.CANCELLED),
    ItemStatus.IN_PROGRESS: (ItemStatus.DELIVERED, ItemStatus.CANCELLED),
    ItemStatus.DELIVERED: (),
    ItemStatus.CANCELLED: (),
}


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being written with the returnee
    SUBMITTED = "submitted", _("Submitted for approval")  # waiting for approvers
    RETURNED = "returned", _("Returned for changes")  # an approver sent it back with a comment
    APPROVED = "approved", _("Approved")  # the plan in force
    SUPERSEDED = "superseded", _("Superseded")  # a later version was approved


PLAN_TRANSITIONS: dict[str, tuple[str, ...]] = {
    PlanStatus.DRAFT: (PlanStatus.SUBMITTED,),
    PlanStatus.SUBMITTED: (PlanStatus.APPROVED, PlanStatus.RETURNED),
    PlanStatus.RETURNED: (PlanStatus.SUBMITTED,),
    PlanStatus.APPROVED: (PlanStatus.SUPERSEDED,),
    PlanStatus.SUPERSEDED: (),
}
EDITABLE = (PlanStatus.DRAFT, PlanStatus.RETURNED)


class AssistanceType(ConfigurationItem):
    """Seeded from defaults/assistance_types.yaml."""

    dimension = models.CharField(max_length=16, choices=Dimension.choices, default=Dimension.ECONOMIC)


class ProposalRules(models.Model):
    """One version of which assistance types a plan proposes first, by vulnerability code.
    `programme` None: the shipped rules, for programmes without their own."""

    programme = models.ForeignKey(
        "programmes.Programme", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    effective_from = models.DateField()
    always = models.JSONField(default=list)  # type codes proposed for every case
    by_vulnerability = models.JSONField(default=dict)  # vulnerability code -> [type codes]
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_from", "-created_at", "-id"]


class ApprovalThresholds(models.Model):
    """One version of the approval thresholds of a programme in a country (blank: in all its
    countries; `programme` None: the shipped defaults), in the programme's reporting currency."""

    programme = models.ForeignKey(
        "programmes.Programme", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    country = models.CharField(max_length=2, blank=True, default="")
    effective_from = models.DateField(_("effective from"))
    manager_above = models.DecimalField(
        _("a programme manager approves above"), max_digits=12, decimal_places=2
    )
    two_above = models.DecimalField(_("two approvers above"), max_digits=12, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_from", "-created_at", "-id"]


def plain_rate(value: Decimal) -> Decimal:
    """A rate with the decimals it has (0.000105, 655.957, 100), not the column's ten: as
    pages, files, the API and the audit log write it."""
    return Decimal(format(value.normalize(), "f"))


class ExchangeRate(models.Model):
    """How much one unit of `currency` was worth in `to_currency` over a month (its first
    day), for the budgets in a programme's reporting currency."""

    month = models.DateField(_("month"))  # always the first day of the month
    currency = models.CharField(_("currency"), max_length=3)
    to_currency = models.CharField(_("reporting currency"), max_length=3)
    # Ten decimals: a weak currency's unit is worth millionths of a euro (a rial about
    # 0.0000017), which six decimals rounded 18 % off.
    rate = models.DecimalField(_("rate"), max_digits=22, decimal_places=10)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "currency", "to_currency"]
        constraints = [
            models.UniqueConstraint(fields=["month", "currency", "to_currency"], name="one_rate_per_month"),
        ]

    @property
    def rate_text(self) -> str:
        """The rate as the reader writes numbers, with the decimals it has (0,0000017; 655,957),
        not the ten the column keeps."""
        from django.utils.formats import number_format

        plain = plain_rate(self.rate)
        exponent = plain.as_tuple().exponent
        return number_format(
            plain, decimal_pos=-exponent if isinstance(exponent, int) and exponent < 0 else 0
        )


class Plan(models.Model):
    """A case's reintegration plan. `latest` is the newest version, `in_force` the approved
    one (None until a first approval); both kept by the actions for lists and budgets."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="plan")
    latest = models.ForeignKey("PlanVersion", null=True, on_delete=models.SET_NULL, related_name="+")
    in_force = models.ForeignKey("PlanVersion", null=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)


def upload_path(instance: models.Model, filename: str) -> str:
    return f"assistance/{uuid.uuid4().hex}"


class PlanVersion(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    reason = models.CharField(_("why this version"), max_length=500, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Each submission starts a round; approvals count only in the current round.
    round = models.PositiveSmallIntegerField(default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # The co-design agreement: the day the returnee agreed, and their signed form.
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    agreement_file = models.FileField(upload_to=upload_path, blank=True)
    agreement_type = models.CharField(max_length=100, blank=True)
    # The items as they were when the agreement was recorded (`items_digest`): changed since,
    # the plan is not the one the returnee agreed to, and is not submitted until they agree
    # again. Blank for agreements recorded before it was kept.
    agreed_items = models.CharField(max_length=64, blank=True, default="", db_default="")
    version = models.PositiveIntegerField(default=1)
    # Brought in by an import of plan items (remis/assistance/imports.py): approved as it was
    # elsewhere, with no decisions recorded here. Further imports change only such a version.
    imported = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="one_plan_version_number")]

    def __str__(self) -> str:
        return f"v{self.number}"

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE


class Need(models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="needs")
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    description = models.CharField(_("need"), max_length=500)
    position = models.PositiveSmallIntegerField(default=0)
    restricted = False  # set per reader by `queries.mask_needs`: in a group they do not hold

    class Meta:
        ordering = ["position", "id"]


class Goal(models.Model):
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(_("goal"), max_length=500)
    position = models.PositiveSmallIntegerField(default=0)
    restricted = False  # as its need (`queries.mask_needs`)

    class Meta:
        ordering = ["position", "id"]


class AssistanceItem(models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="items")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="items")
    # The same item in every version of the plan: payments count against it across versions.
    key = models.UUIDField(default=uuid.uuid4)
    kind = models.ForeignKey(AssistanceType, on_delete=models.PROTECT, verbose_name=_("type"))
    description = models.CharField(_("description"), max_length=500, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.INDIVIDUAL)
    modality = models.CharField(_("modality"), max_length=16, choices=Modality.choices)
    route = models.CharField(_("route"), max_length=16, choices=Route.choices, default=Route.DIRECT)
    amount = models.DecimalField(_("budget"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    starts_on = models.DateField(_("planned start"), null=True, blank=True)
    ends_on = models.DateField(_("planned end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.PLANNED
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)

    # Set by the reads for one reader: the type is in a sensitive group they do not hold, so
    # the type and description are shown as "Restricted" (remis/cases/policy.py).
    restricted = False

    class Meta:
        ordering = ["goal__need__position", "goal__position", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="one_item_key_per_version")]
        indexes = [models.Index(fields=["key"], name="assistance_item_key")]

    @property
    def dimension(self) -> str:
        return self.goal.need.dimension


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    # Its own context: the case stage "Returned" (back in the country of origin) reads
    # otherwise in Arabic ("عاد", came back) where the plan was sent back for changes.
    RETURNED = "returned", pgettext_lazy("plan decision", "Returned")


class Approval(models.Model):
    """An approver's decision on a submitted version, with what it was decided under: the
    thresholds version, the programme settings version, the total and the level required."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="decisions")
    round = models.PositiveSmallIntegerField()
    decision = models.CharField(max_length=16, choices=Decision.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    as_manager = models.BooleanField(default=False)  # held programme.manage on the case
    at = models.DateTimeField(default=timezone.now)
    comment = models.CharField(_("comment"), max_length=1000, blank=True)
    thresholds = models.ForeignKey(ApprovalThresholds, on_delete=models.PROTECT, related_name="+")
    settings = models.ForeignKey(
        "programmes.ProgrammeSettings", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    total = models.DecimalField(max_digits=14, decimal_places=2)
    reporting_currency = models.CharField(max_length=3)
    level = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "round", "by"], name="one_decision_per_approver_round")
        ]


class InstalmentQuerySet(models.QuerySet["Instalment"]):
    def counted(self) -> InstalmentQuerySet:
        """The payments that stand: a voided one stays on record but is no longer paid."""
        return self.filter(voided_at__isnull=True)


class Instalment(models.Model):
    item = models.ForeignKey(AssistanceItem, on_delete=models.PROTECT, related_name="instalments")
    key = models.UUIDField()  # the item's key: what was paid counts across versions
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    receipt = models.FileField(upload_to=upload_path, blank=True)
    receipt_type = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # The payment form's own key (a new one each time the form is drawn): the same form sent
    # again (Back, then the button again) is refused instead of paying twice.
    form_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # A payment recorded by mistake (wrong amount, wrong item, never made) is voided, not
    # deleted or edited: it stays in the item's history with who voided it and why, and no
    # longer counts in what was paid. The correct payment is then recorded as a new one.
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # db_default: the bulk writers (demo generator, imports) insert rows without naming it.
    void_reason = models.TextField(_("reason for voiding"), blank=True, default="", db_default="")

    objects = InstalmentQuerySet.as_manager()

    class Meta:
        ordering = ["paid_on", "id"]
        indexes = [models.Index(fields=["key"], name="instalment_key")]


ZERO = Decimal("0.00")


class ItemReference(models.Model):
    """An organisation's own identifier of an assistance item, given by an import: the item
    is found again by it (through the item's key, which every version of the plan keeps).
    Unique per organisation."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    external_id = models.CharField(_("external ID"), max_length=64)
    key = models.UUIDField()
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "external_id"], name="item_external_id_once")
        ]
