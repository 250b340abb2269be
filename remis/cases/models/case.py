from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from remis.cases.lifecycle import ClosureReason, Stage


class ReturnType(models.TextChoices):
    AVR = "avr", _("Assisted voluntary return")  # counselled and assisted from the host country
    POST_ARRIVAL = "post_arrival", _("Post-arrival assistance")  # returned by the authorities
    OTHER = "other", _("Other")


class PostArrivalStatus(models.TextChoices):
    NOT_APPLICABLE = "n/a", _("Not applicable")  # registered in the host country
    PENDING = "pending", _("Awaiting confirmation")  # opened by a partner after arrival
    CONFIRMED = "confirmed", _("Confirmed")  # confirmed by the host-side coordinator


class Case(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="cases")
    return_type = models.CharField(
        _("return type"), max_length=16, choices=ReturnType.choices, default=ReturnType.AVR
    )
    category = models.ForeignKey(
        "programmes.MigrantCategory", on_delete=models.PROTECT, verbose_name=_("migrant category")
    )
    vulnerabilities = models.ManyToManyField(
        "programmes.Vulnerability", blank=True, verbose_name=_("vulnerabilities")
    )
    principal = models.ForeignKey("cases.Person", on_delete=models.PROTECT, related_name="principal_of")
    host_country = models.CharField(_("host country"), max_length=2)
    origin_country = models.CharField(_("country of origin"), max_length=2)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.REGISTERED)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    closure_reason = models.CharField(
        _("closure reason"), max_length=16, choices=ClosureReason.choices, blank=True
    )
    # The stage a closed case was closed from, so reopening returns it there.
    stage_before_closure = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    # When the programme's retention period anonymised the case (cases/actions/retention.py).
    anonymised_at = models.DateTimeField(null=True, blank=True)
    registering_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="registered_cases"
    )
    registered_at = models.DateTimeField(default=timezone.now)
    intended_return_date = models.DateField(_("intended return date"), null=True, blank=True)
    # Copied from the return travel record so lists filter and sort without a join.
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    post_arrival_status = models.CharField(
        max_length=16, choices=PostArrivalStatus.choices, default=PostArrivalStatus.NOT_APPLICABLE
    )
    assigned_workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assigned_cases", verbose_name=_("case workers")
    )
    household_size = models.PositiveSmallIntegerField(default=1)
    # Folded (lower-case, accent-free) names, alternate spellings and reference of every
    # member, maintained by the actions, so search is one indexed column.
    search_text = models.TextField(blank=True, default="")
    # The sound keys of every member's names and alternate spellings (`lib.text.sound_text`),
    # for a search by similar spelling: Mouhamed finds Mohamed and Muhammad.
    sound_text = models.TextField(blank=True, default="")
    # The members' identity document numbers, folded, apart: only a reader holding the
    # identity group may find a case by one (finding it would tell whose number it is).
    document_text = models.TextField(blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["-registered_at", "-id"], name="case_registered"),
            models.Index(fields=["stage", "-registered_at"], name="case_stage_registered"),
            models.Index(fields=["origin_country", "-registered_at"], name="case_origin_registered"),
            models.Index(fields=["host_country", "-registered_at"], name="case_host_registered"),
            # Arrivals by day, index-only for a scope of countries (dashboard statistics).
            models.Index(
                fields=["arrival_date", "host_country", "origin_country"], name="case_arrival_countries"
            ),
            # Cases and individuals by country of origin and stage: an index-only scan, never
            # the wide case rows (dashboard statistics over a million cases).
            models.Index(
                fields=["origin_country", "stage", "host_country", "arrival_date", "household_size"],
                name="case_stats",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def has_consent(self, purpose: str) -> bool:
        latest = self.consents.filter(purpose=purpose).order_by("-given_on", "-id").first()
        return bool(latest and latest.given)

    def processing_withdrawn(self) -> bool:
        """Whether the latest statement on the processing of personal data withdraws or
        refuses it: every sharing with partners built on it ends (never recorded is not
        withdrawn, as for cases registered before it was asked)."""
        latest = self.consents.filter(purpose="data_processing").order_by("-given_on", "-id").first()
        return latest is not None and not latest.given

    def has_origin_partner(self) -> bool:
        if self.return_type == ReturnType.POST_ARRIVAL:
            return True
        if self.submissions.filter(status=SubmissionStatus.ACCEPTED).exists():
            return True
        # The registering organisation partners the programme in the country of origin too
        # (an implementing organisation, on both sides): the case is with it already.
        return self.registrar_receives()

    def registrar_receives(self) -> bool:
        """Whether the organisation that registered the case receives the programme's cases
        in its country of origin (`programmes.queries.origin_partners`)."""
        from remis.programmes.queries import origin_partners

        registrars = self.access.filter(reason=AccessReason.REGISTERED, revoked_at__isnull=True).values(
            "organisation_id"
        )
        return origin_partners(self.programme, self.origin_country).filter(pk__in=registrars).exists()

    @property
    def is_closed(self) -> bool:
        return self.stage == Stage.CLOSED

    @property
    def arrival_expected(self) -> bool:
        """An arrival date of a person who has not arrived: a planned arrival, read as one
        (the header said "Arrival 21 Dec" of a returnee still in the host country, and
        "Arrival" for a flight of last month the returnee never took)."""
        from remis.cases.lifecycle import has_returned

        if self.arrival_date is None:
            return False
        return self.arrival_date > timezone.localdate() or not has_returned(
            self.stage, self.stage_before_closure
        )


class Relation(models.TextChoices):
    PRINCIPAL = "principal", _("Principal applicant")
    SPOUSE = "spouse", _("Spouse or partner")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other relative")


class CaseMember(models.Model):
    """A person covered by a case. Statistics count these rows: individuals, not cases."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("cases.Person", on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="person_once_per_case")]


class AccessReason(models.TextChoices):
    REGISTERED = "registered", _("Registered the case")
    SUBMITTED = "submitted", _("Case submitted to it")  # may review, then accept or reject
    ACCEPTED = "accepted", _("Accepted the submitted case")
    COORDINATOR = "coordinator", _("Host-side coordinator of a post-arrival case")


def _listed() -> dict[str, Any]:
    return {"condition": models.Q(revoked_at__isnull=True)}


class CaseAccess(models.Model):
    """An organisation's explicit access to a case. Nothing else makes a case visible.

    It also carries copies of the case's list columns (kept equal by the actions through
    `listing_values`), so an organisation's case list is read from one of the partial
    indexes below in order: listing a million cases needs no correlated subquery and no sort.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="case_access"
    )
    reason = models.CharField(max_length=16, choices=AccessReason.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    registered_at = models.DateTimeField(null=True)
    stage = models.CharField(max_length=16, blank=True)
    arrival_date = models.DateField(null=True, blank=True)
    host_country = models.CharField(max_length=2, blank=True)
    origin_country = models.CharField(max_length=2, blank=True)
    category = models.ForeignKey(
        "programmes.MigrantCategory", null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The organisation's own identifier of the case (in the system it imports from): on a
    # shared case each organisation keeps its own. Imports find the case again by it.
    # A database default too: bulk writers that name their columns (the demo generator) leave it out.
    external_id = models.CharField(_("external ID"), max_length=64, blank=True, default="", db_default="")

    class Meta:
        # Each list index ends with the columns the scope check and the join read, so
        # counting and paging an organisation's cases never leave the index. One more
        # list index, on arrival date, is created per database engine by migrations 0002
        # and 0003 (SQLite cannot declare NULLS LAST in an index).
        constraints = [
            models.UniqueConstraint(fields=["case", "organisation"], name="one_access_per_org"),
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~models.Q(external_id=""),
                name="one_external_id_per_org",
            ),
        ]
        indexes = [
            models.Index(
                F("organisation"),
                F("registered_at").desc(),
                F("id").desc(),
                F("host_country"),
                F("origin_country"),
                F("case"),
                name="access_list_registered",
                **_listed(),
            ),
            models.Index(
                F("organisation"),
                F("stage"),
                F("registered_at").desc(),
                F("id").desc(),
                F("host_country"),
                F("origin_country"),
                F("case"),
                F("arrival_date"),
                name="access_list_stage",
                **_listed(),
            ),
            models.Index(
                F("organisation"),
                F("origin_country"),
                F("registered_at").desc(),
                F("id").desc(),
                F("host_country"),
                F("case"),
                F("arrival_date"),
                name="access_list_origin",
                **_listed(),
            ),
            models.Index(
                F("organisation"),
                F("host_country"),
                F("registered_at").desc(),
                F("id").desc(),
                F("origin_country"),
                F("case"),
                F("arrival_date"),
                name="access_list_host",
                **_listed(),
            ),
            # The home page's "accepted cases with none of your case workers": an office's
            # accepted cases alone, oldest first (a host office, which accepts none, reads
            # nothing; through the list indexes it read every one of its cases).
            models.Index(
                F("organisation"),
                F("granted_at"),
                F("id"),
                F("host_country"),
                F("origin_country"),
                F("stage"),
                F("case"),
                name="access_accepted",
                condition=models.Q(revoked_at__isnull=True, reason="accepted"),
            ),
        ]


LISTING_FIELDS = ("registered_at", "stage", "arrival_date", "host_country", "origin_country", "category_id")


def listing_values(case: Case) -> dict[str, Any]:
    """The case's list columns, as copied onto each of its access rows."""
    return {name: getattr(case, name) for name in LISTING_FIELDS}


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting answer")  # the partner has not answered yet
    ACCEPTED = "accepted", _("Accepted")  # the partner took the case on
    REJECTED = "rejected", _("Rejected")  # refused with a reason; may be corrected and resubmitted
    CANCELLED = "cancelled", _("Cancelled: consent withdrawn")  # sharing with partners withdrawn
    # Accepted, then consent to share withdrawn: the partner's access ended. No longer open,
    # so the case can be submitted again once consent is given again (it stayed "accepted",
    # shown as such, and every new submission was refused as "already accepted").
    ENDED = "ended", _("Access ended: consent withdrawn")
    # Still awaiting the partner's answer when the case was closed (it read "consent
    # withdrawn" beside a consent still in force).
    CLOSED = "closed", _("Cancelled: case closed")


class Submission(models.Model):
    """A host-country office submitting a case to a reintegration partner (as in RIAT)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="submissions")
    from_organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    to_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="submissions_received"
    )
    status = models.CharField(
        max_length=16, choices=SubmissionStatus.choices, default=SubmissionStatus.PENDING
    )
    message = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField()
    # The programme settings version in force when submitted, which set `due_at`: a later
    # change of the response time does not move this submission's due date.
    settings_version = models.ForeignKey(
        "programmes.ProgrammeSettings", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["status", "due_at"], name="submission_status_due")]
        constraints = [
            # A case is with at most one partner at a time: two concurrent submissions
            # must not both succeed, whatever the application checks first.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=["pending", "accepted"]),
                name="one_open_submission_per_case",
            )
        ]

    @property
    def is_overdue(self) -> bool:
        return self.status == SubmissionStatus.PENDING and self.due_at < timezone.now()


class Transition(models.Model):
    """One move of a case along its journey: kept forever, with who and when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def reason_shown(self) -> str:
        """The reason as a reader sees it: a closing without a note stores the closure
        reason's code, shown by its name in the reader's language."""
        if self.to_stage == Stage.CLOSED and self.reason in ClosureReason.values:
            return str(ClosureReason(self.reason).label)
        return self.reason


class ReferenceCounter(models.Model):
    """The last sequence number used for a reference prefix such as GIN-2026."""

    prefix = models.CharField(max_length=16, primary_key=True)
    last = models.PositiveIntegerField(default=0)
