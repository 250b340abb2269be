"""The assistance app's part of anonymising a case (retention, `CaseAnonymised`): the plan's
creation, each version's creation, agreement, submission and approval, its items' planned
dates, the payments' days and the moments they were recorded or voided, the approvers'
decisions and the imports' item references move to their month, as the case's own dates do."""

from __future__ import annotations

from collections.abc import Sequence

from remis.assistance.models import Approval, AssistanceItem, Instalment, ItemReference, Plan, PlanVersion
from remis.cases.events import CaseAnonymised
from remis.lib.dates import coarsen


def coarsen_cases(events: Sequence[CaseAnonymised]) -> None:
    ids = [event.case_id for event in events]
    coarsen(Plan.objects.filter(case_id__in=ids), moments=["created_at"])
    coarsen(
        PlanVersion.objects.filter(plan__case_id__in=ids),
        dates=["agreed_on"],
        moments=["created_at", "submitted_at", "approved_at"],
    )
    coarsen(AssistanceItem.objects.filter(version__plan__case_id__in=ids), dates=["starts_on", "ends_on"])
    coarsen(
        Instalment.objects.filter(item__version__plan__case_id__in=ids),
        dates=["paid_on"],
        moments=["recorded_at", "voided_at"],
    )
    coarsen(ItemReference.objects.filter(case_id__in=ids), moments=["created_at"])
    coarsen(Approval.objects.filter(version__plan__case_id__in=ids), moments=["at"])
