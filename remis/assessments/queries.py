"""Every read of instruments and assessments. Assessments are reached through their case,
so the case scope of the one policy (remis/cases/policy.py) decides who reads them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from remis.accounts.permissions import Perm
from remis.assessments.models import Assessment, AssessmentStatus, Instrument, InstrumentStatus
from remis.cases.models import Case
from remis.cases.policy import case_permissions, visible_through
from remis.cases.queries import get_case_for
from remis.lib.errors import NotFound, PermissionDenied


def instrument_in_force(day: dt.date | None = None) -> Instrument | None:
    """The active instrument offered for new assessments on `day` (today by default): the
    one that took effect last, its latest version first."""
    day = day or timezone.localdate()
    return (
        Instrument.objects.filter(status=InstrumentStatus.ACTIVE, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("-effective_from", "-version")
        .first()
    )


def instruments() -> QuerySet[Instrument]:
    """Every instrument version: configuration, no personal data."""
    return Instrument.objects.order_by("code", "-version")


def get_instrument(code: str, version: int) -> Instrument:
    instrument = Instrument.objects.filter(code=code, version=version).first()
    if instrument is None:
        raise NotFound()
    return instrument


def assessments_of(case: Case) -> QuerySet[Assessment]:
    """A case's assessments, latest first; the caller has the case from `get_case_for`."""
    return (
        Assessment.objects.filter(case=case)
        .select_related("instrument", "created_by", "completed_by")
        .order_by("-assessed_on", "-id")
    )


def latest_assessment(case: Case) -> Assessment | None:
    """The latest completed assessment, or else the latest draft."""
    rows = assessments_of(case)
    return rows.filter(status=AssessmentStatus.COMPLETED).first() or rows.first()


def case_for(actor: Any, case_uuid: uuid.UUID | str, perm: Perm | None = None) -> Case:
    return get_case_for(actor, case_uuid, perm)


def get_assessment_for(actor: Any, assessment_uuid: uuid.UUID | str, perm: Perm | None = None) -> Assessment:
    """The assessment if the actor may see its case (else NotFound), and holds `perm` on
    that case (else PermissionDenied)."""
    try:
        key = uuid.UUID(str(assessment_uuid))
    except ValueError:
        raise NotFound() from None
    assessment = (
        Assessment.objects.filter(visible_through(actor, "case_id"), uuid=key)
        .select_related("case", "instrument", "created_by", "completed_by")
        .first()
    )
    if assessment is None:
        raise NotFound()
    if perm is not None and perm not in case_permissions(actor, assessment.case):
        raise PermissionDenied()
    return assessment
