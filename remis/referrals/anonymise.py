"""The referrals app's part of anonymising a case (retention, `CaseAnonymised`): when each
referral was sent, answered, started, closed, due and ended moves to its month."""

from __future__ import annotations

from collections.abc import Sequence

from remis.cases.events import CaseAnonymised
from remis.lib.dates import coarsen
from remis.referrals.models import Referral


def coarsen_cases(events: Sequence[CaseAnonymised]) -> None:
    coarsen(
        Referral.objects.filter(case_id__in=[event.case_id for event in events]),
        dates=["due_on", "outcome_on"],
        moments=["sent_at", "answered_at", "started_at", "closed_at"],
    )
