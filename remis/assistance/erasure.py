"""What erasing a person means for plans (registered with remis.audit.erasure): when they
are the principal applicant (an erasure, or the retention job anonymising their case), the
free text of their cases' plans goes (why a version was opened, needs, goals, items'
descriptions and reasons for cancelling, approvers' comments), and so do the files that
name them: the signed agreements and the payments' receipts. What counts stays: the types,
amounts, currencies, statuses, dimensions and (coarsened) dates."""

from __future__ import annotations

from django.db.models import Model
from django.db.models.fields.files import FieldFile

from remis.audit.erasure import ErasureRequest


def _drop_files(rows: list[Model], field: str, kind: str) -> int:
    """Delete each row's stored file and forget its name and type."""
    dropped = 0
    for row in rows:
        stored: FieldFile = getattr(row, field)
        if stored:
            stored.delete(save=False)
            type(row)._default_manager.filter(pk=row.pk).update(**{field: "", kind: ""})
            dropped += 1
    return dropped


def erase_plan_text(request: ErasureRequest) -> int:
    from remis.assistance.models import Approval, AssistanceItem, Goal, Instalment, Need, PlanVersion

    versions = PlanVersion.objects.filter(plan__case__uuid__in=request.whole_case_uuids)
    erased = versions.exclude(reason="").update(reason="")
    erased += Need.objects.filter(version__in=versions).exclude(description="").update(description="")
    erased += Goal.objects.filter(need__version__in=versions).exclude(description="").update(description="")
    items = AssistanceItem.objects.filter(version__in=versions)
    erased += items.exclude(description="", cancel_reason="").update(description="", cancel_reason="")
    erased += Approval.objects.filter(version__in=versions).exclude(comment="").update(comment="")
    erased += _drop_files(list(versions.exclude(agreement_file="")), "agreement_file", "agreement_type")
    erased += Instalment.objects.filter(item__in=items).exclude(void_reason="").update(void_reason="")
    receipts = Instalment.objects.filter(item__in=items).exclude(receipt="")
    erased += _drop_files(list(receipts), "receipt", "receipt_type")
    return erased
