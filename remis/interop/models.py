"""Bulk imports of records from files: the upload with its choices, and saved column mappings.

What a row means is the entity's business (`remis/interop/importing.py` keeps the registry the
owning apps fill); these tables only remember what was asked and by whom. An import's file
and its problems report quote personal data: only the uploader reads them (`queries.py`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from remis.jobs.models import JobStatus


class ImportMode(models.TextChoices):
    CHECK = "check", _("Check only: write nothing")  # a dry run: every row checked, the report
    VALID_ROWS = "valid_rows", _("Import the valid rows")  # refused rows reported, the others saved
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")  # one refused row and nothing is saved


class RecordImport(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.CharField(_("records"), max_length=32)
    # The organisation the records are imported for: its external IDs, its access.
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="interop/imports/")
    filename = models.CharField(max_length=200)  # as uploaded, for the uploader's list
    sheet = models.CharField(max_length=100, blank=True)  # an XLSX sheet; the first one if blank
    mode = models.CharField(_("mode"), max_length=16, choices=ImportMode.choices, default=ImportMode.CHECK)
    # File header → column of the entity ("" to ignore a column), as confirmed at upload.
    mapping = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    # The latest run; an interrupted import is run again with a new job on the same file.
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    report = models.FileField(upload_to="interop/reports/", blank=True)  # every refused row, as CSV

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["uploaded_by", "-uploaded_at"], name="import_uploader")]

    @property
    def status_badge(self) -> tuple[str, str]:
        """(css class, words) for the run's status. A run that checked every row but wrote
        nothing (a check, or all or nothing with a row refused) is not shown "Succeeded":
        its owner took that for records imported."""
        job = self.job
        if job is None:
            return "", ""
        result = job.result or {}
        if (
            job.status == JobStatus.SUCCEEDED
            and self.mode != ImportMode.VALID_ROWS
            and not result.get("committed")
        ):
            if self.mode == ImportMode.CHECK:
                return "job-checked", str(_("Checked: nothing written"))
            return "job-nothing", str(_("Nothing written"))
        return f"job-{job.status}", str(job.get_status_display())


class ColumnMapping(models.Model):
    """A named mapping of a file's headers to an entity's columns, kept by an organisation
    for the files one of its sources keeps sending (a government database's export)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(_("records"), max_length=32)
    name = models.CharField(_("name"), max_length=80)
    mapping = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["entity", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "entity", "name"], name="one_mapping_name")
        ]


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (UTF-8)")
    XLSX = "xlsx", _("Excel workbook (XLSX)")


class RecordExport(models.Model):
    """An export asked for: what (`kind`, with its filters as codes and ids), in which
    format, by whom. The file quotes personal data: only the requester reads it
    (`queries.py`), and deleting the export deletes the file."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("records"), max_length=32)
    params = models.JSONField(default=dict, blank=True)
    format = models.CharField(
        _("format"), max_length=8, choices=ExportFormat.choices, default=ExportFormat.CSV
    )
    # Headers with the columns' labels in the requester's language, or with their codes
    # (the import's column names: an exported case list can be edited and imported again).
    labels = models.BooleanField(_("headers with labels"), default=False)
    language = models.CharField(max_length=8, default="en")  # the labels' language, as asked
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to="interop/exports/", blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)  # written; None until done
    # Its file deleted because it quoted a person whose data was erased: the export stays
    # in its requester's list, saying so (it vanished, and the list read "nothing exported").
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="export_requester")]
