"""What the plan actions share: permission on the plan's case, the version lock, uploads."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from remis.accounts.permissions import Perm
from remis.assistance.models import ItemStatus, PlanVersion
from remis.cases.actions.common import hold_case, require
from remis.cases.actions.records import sniff_type
from remis.cases.lifecycle import Stage
from remis.cases.models import Case
from remis.lib.errors import Conflict, DomainError, ErrorCode, TransitionRefused, ValidationFailed


class NotAllowedHere(DomainError):
    """The actor may do this in general, but not on this record (their own plan)."""

    code = ErrorCode.FORBIDDEN


def case_of(version: PlanVersion) -> Case:
    return version.plan.case


def require_on(actor: Any, version: PlanVersion, perm: Perm) -> Case:
    case = case_of(version)
    require(actor, case, perm)
    return case


def hold_open_case(case: Case) -> None:
    """`hold_case`, and refuse the write if the case is closed, as read under its lock: a
    plan is never changed nor paid on a closed case (a payment form opened before another
    tab closed the case was recorded)."""
    hold_case(case)
    if Case.objects.filter(pk=case.pk, stage=Stage.CLOSED).exists():
        raise TransitionRefused(
            _("The case is closed: reopen it to change its plan or record a payment."), "case"
        )


def bump(version: PlanVersion, expected: int | None) -> None:
    """Take the version's lock for this write: a stale `expected` (someone saved first) or
    a concurrent writer is a Conflict. On PostgreSQL the UPDATE holds the row until commit.
    The case's row first (`hold_open_case`, the order of every case action): no write into a
    case anonymised or closed since its permissions were read."""
    hold_open_case(case_of(version))
    if expected is None:  # not an edit from a form: the stored version is the one expected
        stored = PlanVersion.objects.filter(pk=version.pk).values_list("version", flat=True).first()
        current = version.version if stored is None else stored
    else:
        current = expected
    if not PlanVersion.objects.filter(pk=version.pk, version=current).update(version=current + 1):
        raise Conflict()
    version.version = current + 1


def require_editable(version: PlanVersion) -> None:
    if not version.editable:
        raise TransitionRefused(
            _(
                "Version %(number)s of the plan is %(status)s and can no longer be changed: open "
                "a new version to change it."
            )
            % {"number": version.number, "status": version.get_status_display().lower()},
            "version",
        )


def check_upload(upload: UploadedFile, field: str) -> str:
    """The sniffed content type of an acceptable upload, or a refusal naming `field`."""
    if upload.size is None or upload.size == 0:
        raise ValidationFailed(_("The file is empty."), field)
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationFailed(_("The file is too large."), field)
    content_type = sniff_type(upload)
    if content_type is None or content_type not in settings.DOCUMENT_ALLOWED_TYPES:
        raise ValidationFailed(_("Only PDF, JPEG and PNG files can be uploaded."), field)
    return content_type


def items_digest(version: PlanVersion) -> str:
    """What the household is given by the version, as a fingerprint: each item's kind,
    modality, route, amount and currency, and whether it is cancelled."""
    import hashlib

    rows = sorted(
        (str(key), kind, modality, route, str(amount), currency, status == ItemStatus.CANCELLED)
        for key, kind, modality, route, amount, currency, status in version.items.values_list(
            "key", "kind_id", "modality", "route", "amount", "currency", "status"
        )
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()
