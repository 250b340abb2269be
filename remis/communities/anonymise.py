"""The community projects app's part of anonymising a case (retention, `CaseAnonymised`):
the day a returnee joined a project, and the moment that was recorded, move to their month."""

from __future__ import annotations

from collections.abc import Sequence

from remis.cases.events import CaseAnonymised
from remis.communities.models import Participant
from remis.lib.dates import coarsen


def coarsen_cases(events: Sequence[CaseAnonymised]) -> None:
    ids = [event.case_id for event in events]
    coarsen(Participant.objects.filter(case_id__in=ids), dates=["joined_on"], moments=["added_at"])
