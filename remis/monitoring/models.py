"""Follow-up monitoring after return.

A case that reaches "returned" gets one FollowUp per round of the schedule in force
(ScheduleRules: offsets in months from the arrival date, a window of days either side, the
instrument of the round). The rows hold dates and a stored status (scheduled, done, stopped at
closure, lost to follow-up); whether a scheduled round is upcoming, in its window, overdue or
missed is computed from today (`queries.state_of`), so nothing has to run at midnight.
Contact attempts and visits hang on a round; responses are scored answers to an instrument
version, of a case (a round, a visit or an assistance item) or of a comparison sample.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScheduleRules(models.Model):
    """One version of a programme's monitoring schedule (`programme` None: shipped defaults).
    `rounds`: [{"round": 1, "months": 3, "window_days": 30, "instrument": "<code>"}, …]."""

    programme = models.ForeignKey(
        "programmes.Programme", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    effective_from = models.DateField(_("effective from"))
    rounds = models.JSONField(default=list)
    lost_after_attempts = models.PositiveSmallIntegerField(
        _("failed contact attempts in a window before a returnee is lost to follow-up")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_from", "-created_at", "-id"]


class FollowUpStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")  # upcoming, in window, overdue or missed: see state_of
    DONE = "done", _("Done")  # a visit reached the returnee in this round
    STOPPED = "stopped", _("Stopped")  # the case was closed; resumed if it is reopened
    LOST = "lost", _("Lost to follow-up")  # too many failed contact attempts in the window


class FollowUp(models.Model):
    """One round of a case's monitoring schedule."""

    # No index of its own on the case, nor on the instrument: the unique (case, round) serves
    # every lookup by case, nothing looks rounds up by instrument alone, and each index is
    # one more to write when a round's status changes (an import completes thousands).
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="follow_ups", db_index=False
    )
    # Copies of the case's countries, which never change after registration: the lists start
    # from an index on them and the reader's countries instead of probing every round's case.
    host_country = models.CharField(max_length=2, default="")
    origin_country = models.CharField(max_length=2, default="")
    round = models.PositiveSmallIntegerField(_("round"))
    months = models.PositiveSmallIntegerField(_("months after arrival"))
    instrument = models.SlugField(_("instrument"), max_length=64, db_index=False)  # the instrument's code
    due_on = models.DateField(_("due on"))
    window_start = models.DateField(_("window opens"))
    window_end = models.DateField(_("window closes"))
    status = models.CharField(
        _("status"), max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.SCHEDULED
    )
    rules = models.ForeignKey(ScheduleRules, on_delete=models.PROTECT, related_name="+")
    done_on = models.DateField(_("done on"), null=True, blank=True)
    lost_on = models.DateField(_("lost on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["case_id", "round"]
        constraints = [models.UniqueConstraint(fields=["case", "round"], name="follow_up_case_round")]
        indexes = [
            # The work lists: scheduled rounds by the day their window opens or closes.
            models.Index(fields=["status", "window_start"], name="follow_up_status_start"),
            models.Index(fields=["status", "due_on"], name="follow_up_status_due"),
            # The list's walks by country (queries.FollowUpList), in the list's order: due day,
            # then id. SQLite ends every index with the row's id anyway; PostgreSQL needs it
            # named to read a page in order without sorting the country's rounds.
            models.Index(fields=["origin_country", "status", "due_on", "id"], name="follow_up_origin_due_id"),
            models.Index(fields=["host_country", "status", "due_on", "id"], name="follow_up_host_due_id"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} round {self.round}"


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    MESSAGE = "message", _("Text or messaging app")
    HOME_VISIT = "home_visit", _("Home visit")
    PARTNER = "partner", _("Through a partner")
    OTHER = "other", _("Other")


class ContactOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    REFUSED = "refused", _("Refused")
    MOVED = "moved", _("Moved away")
    REMIGRATED = "remigrated", _("Re-migrated")


FAILED_OUTCOMES = tuple(o for o in ContactOutcome if o != ContactOutcome.REACHED)


class ContactAttempt(models.Model):
    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="attempts")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    attempted_on = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=16, choices=ContactChannel.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=ContactOutcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["attempted_on", "id"]


class VisitMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    REMOTE = "remote", _("Remote (video or online form)")
    PARTNER = "partner", _("By a partner")


class Visit(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    follow_up = models.ForeignKey(
        FollowUp, null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("date of the visit"))
    mode = models.CharField(_("mode"), max_length=16, choices=VisitMode.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-visited_on", "-id"]


class Instrument(models.Model):
    """One version of a monitoring instrument: its definition (questions, choices, relevance,
    scoring, bands) as `monitoring.instruments.definition` stores it. Never edited: a change
    is a new version, and responses stay attached to the version they answered."""

    code = models.SlugField(_("code"), max_length=64)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    definition = models.JSONField()
    active = models.BooleanField(default=True)  # the version new responses use
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="instrument_code_version")]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class ResponseSource(models.TextChoices):
    FORM = "form", _("Entered in REMIS")
    API = "api", _("Sent through the API")
    IMPORT = "import", _("Imported from a KoBo or ODK export")
    GENERATED = "generated", _("Generated demo data")


class Response(models.Model):
    """Answers to one instrument version with their scores. Belongs to a case (a round, a
    visit, or an assistance item for satisfaction) or to a comparison sample (`sample_id`,
    no case: non-assisted returnees, the local population)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="responses")
    # No index of their own: (case, collected_on) below and the partial unique index on
    # follow_up serve every lookup by case or round, and each extra index was a third of the
    # cost of inserting an import's rows.
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    sample_id = models.CharField(_("sample ID"), max_length=64, blank=True)
    follow_up = models.ForeignKey(
        FollowUp, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses", db_index=False
    )
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    item_key = models.UUIDField(null=True, blank=True)  # the assistance item a satisfaction answer is about
    collected_on = models.DateField(_("collected on"))
    answers = models.JSONField(default=dict)
    # Scores in [0, 1], computed when saved and by rescoring; null when nothing scored.
    indicators = models.JSONField(default=dict)
    economic = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    social = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    psychosocial = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    composite = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    band = models.CharField(max_length=32, blank=True)
    source = models.CharField(max_length=16, choices=ResponseSource.choices, default=ResponseSource.FORM)
    submission_id = models.CharField(
        max_length=128, blank=True
    )  # KoBo/ODK instance id: re-imports add nothing
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # The last correction of the answers (`actions.correct_response`); who and why are in
    # the audit log, with every earlier one.
    corrected_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["collected_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "submission_id"],
                condition=~Q(submission_id=""),
                name="response_submission_once",
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=False) | ~Q(sample_id=""), name="response_case_or_sample"
            ),
            # A round is answered once (a later visit's answers are a new round's).
            models.UniqueConstraint(
                fields=["follow_up"], condition=Q(follow_up__isnull=False), name="response_one_per_round"
            ),
        ]
        indexes = [models.Index(fields=["case", "collected_on"], name="response_case_collected")]


class SubmissionUpload(models.Model):
    """A KoBoToolbox or ODK Central export uploaded for import; a job reads it (imports.py)
    and keeps its report in the job's result. The file holds answers about returnees: only
    its uploader reads the report, and erasure or retention removes it with the job."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="monitoring/imports/")
    filename = models.CharField(max_length=200)  # as uploaded, for the uploader's list
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-uploaded_at", "-id"]
