"""Needs and vulnerability assessment: instruments as versioned data, and assessments of a case.

An instrument (`Instrument`: a code and a version) holds its questions, their choices and the
rules that propose vulnerability flags. A new version is a new row with new questions: an
assessment names the version it was made with, so earlier assessments keep reading as they
were asked. Answers are stored on the assessment by question code (`answers`), values as
JSON-safe text (decimals as strings, dates as ISO strings)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from remis.lib.text import translated
from remis.programmes.models import Vulnerability


class InstrumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being written: not offered for new assessments
    ACTIVE = "active", _("Active")  # offered from its effective date
    RETIRED = "retired", _("Retired")  # no longer offered; its assessments stay readable


class QuestionType(models.TextChoices):
    SELECT_ONE = "select_one", _("Select one")
    SELECT_MULTIPLE = "select_multiple", _("Select multiple")
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    TEXT = "text", _("Text")
    DATE = "date", _("Date")
    YES_NO = "yes_no", _("Yes or no")


class Dimension(models.TextChoices):
    ECONOMIC = "economic", _("Economic")
    SOCIAL = "social", _("Social")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")


class Level(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    HOUSEHOLD = "household", _("Household")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # saved part-way; may be changed and completed later
    # final: a change is a new assessment. Its own word: French writes the assessment
    # (une évaluation) "Achevée", not the case's "Achevé".
    COMPLETED = "completed", pgettext_lazy("assessment status", "Completed")


class FlagDecision(models.TextChoices):
    PENDING = "pending", _("To confirm")  # proposed by the answers, not decided yet
    CONFIRMED = "confirmed", _("Confirmed")  # the case worker confirmed it: set on the case
    DECLINED = "declined", _("Not confirmed")  # the case worker did not confirm it


class Instrument(models.Model):
    code = models.SlugField(_("code"), max_length=64)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    names = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=InstrumentStatus.choices)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="one_instrument_version"),
        ]

    def __str__(self) -> str:
        return f"{self.label} (v{self.version})"

    @property
    def label(self) -> str:
        return translated(self.name, self.names)


class Question(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=64)
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=300)
    labels = models.JSONField(default=dict, blank=True)  # translations: {"fr": …, "ar": …}
    kind = models.CharField(max_length=16, choices=QuestionType.choices)
    required = models.BooleanField(default=False)
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    level = models.CharField(max_length=16, choices=Level.choices)
    # The sensitive field group protecting this answer (SensitiveGroup), blank for none:
    # readers without it see "Restricted" (remis/cases/policy.py).
    sensitive_group = models.CharField(max_length=16, blank=True, default="")
    min_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # For yes/no questions: the answer that shows a need ("yes" to "in debt"), or blank.
    need_if = models.CharField(max_length=8, blank=True, default="")

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="one_question_code_per_instrument"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return translated(self.label, self.labels)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    code = models.SlugField(max_length=64)
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=200)
    labels = models.JSONField(default=dict, blank=True)
    need = models.BooleanField(default=False)  # choosing it shows a need in its dimension

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="one_choice_code_per_question"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return translated(self.label, self.labels)


class FlagRule(models.Model):
    """An answer that proposes a vulnerability flag: one of `any_of` chosen (select one or
    several, yes/no), or a number of at least `at_least`."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="rules")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="rules")
    any_of = models.JSONField(default=list, blank=True)
    at_least = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    vulnerability = models.ForeignKey(Vulnerability, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]


class Assessment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="assessments")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    answers = models.JSONField(default=dict, blank=True)
    assessed_on = models.DateField(_("assessed on"))
    # A change to a completed assessment is a new one naming the one it revises.
    revises = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["case", "status"], name="assessment_case_status")]

    def __str__(self) -> str:
        return f"{self.instrument} {self.assessed_on}"


class AssessmentFlag(models.Model):
    """A vulnerability flag the answers proposed, and the case worker's decision on it."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="flags")
    vulnerability = models.ForeignKey(Vulnerability, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=16, choices=FlagDecision.choices, default=FlagDecision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["vulnerability__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "vulnerability"], name="one_flag_per_assessment"),
        ]
