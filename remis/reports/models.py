"""Report packages: a quarterly or annual report for a programme or a country of origin,
built by a job, kept with the figures it printed (its snapshot) and its files."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PackageKind(models.TextChoices):
    ANNUAL = "annual", _("Annual")
    QUARTERLY = "quarterly", _("Quarterly")


class ReportPackage(models.Model):
    """What was asked (period, programme, country, edition), by whom, and what was built:
    the figures as the report printed them (`snapshot`, with their as-of time) and the
    files rendered from them. The files can be rendered again from the snapshot, so a
    package always says what it said on the day it was built, whatever changed since."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=PackageKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True)
    programme = models.ForeignKey(
        "programmes.Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    origin = models.CharField(_("country of origin"), max_length=2, blank=True)
    edition = models.CharField(_("edition"), max_length=12)
    language = models.CharField(max_length=10)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    as_of = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    pdf = models.FileField(upload_to="reports/packages/", blank=True)
    xlsx = models.FileField(upload_to="reports/packages/", blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="package_requester")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="annual", quarter__isnull=True))
                | models.Q(kind="quarterly", quarter__gte=1, quarter__lte=4),
                name="package_quarter_fits_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}" + (f" Q{self.quarter}" if self.quarter else "")


class ResearchExtract(models.Model):
    """A pseudonymised extract for researchers (`reports/research/`): what was asked (the
    period of arrival, a programme, a country of origin, k), by whom, and what the job built:
    the CSV and XLSX files and how many rows the k-anonymity rule coarsened or suppressed.
    Kept for the requester only."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    start = models.DateField(_("arrived from"))
    end = models.DateField(_("arrived until"))
    programme = models.ForeignKey(
        "programmes.Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    origin = models.CharField(_("country of origin"), max_length=2, blank=True)
    k = models.PositiveSmallIntegerField(_("k (smallest group)"))
    language = models.CharField(max_length=10)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # What the job found and did, for the page and the definitions (null until built).
    k_applied = models.PositiveSmallIntegerField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(null=True, blank=True)
    rows_coarsened = models.PositiveIntegerField(null=True, blank=True)
    rows_suppressed = models.PositiveIntegerField(null=True, blank=True)
    csv = models.FileField(upload_to="reports/research/", blank=True)
    xlsx = models.FileField(upload_to="reports/research/", blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="extract_requester")]
        constraints = [
            models.CheckConstraint(condition=models.Q(k__gte=2), name="extract_k_at_least_2"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="extract_period_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"research extract {self.start}–{self.end}"
