"""Configuration kept as versions per programme from a day, with a shipped version
(`programme` blank) for programmes without their own: referral rules, monitoring schedules.
The model needs `programme`, `effective_from`, `created_at` and `created_by`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

NEWEST = ("-effective_from", "-created_at", "-id")


def version_on(model: Any, programme_id: int | None, day: dt.date) -> Any:
    """The version in force on `day`: the programme's own latest from then, else the shipped
    one (None only before the shipped row is seeded)."""
    rows = model.objects.filter(effective_from__lte=day)
    own = (
        rows.filter(programme_id=programme_id).order_by(*NEWEST).first() if programme_id is not None else None
    )
    return own or rows.filter(programme__isnull=True).order_by(*NEWEST).first()


def versions_of(model: Any, programme_id: int) -> Any:
    """Every version that applies to the programme, its own and the shipped one, newest first."""
    rows = model.objects.filter(Q(programme_id=programme_id) | Q(programme__isnull=True))
    return rows.order_by(*NEWEST).select_related("created_by")
