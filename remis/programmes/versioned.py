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


def newest_id(model: Any, programme_id: int) -> int:
    """The id of the programme's newest version of `model` (0: none): what a page listing the
    versions read, sent back to tell a version recorded since (`refuse_if_recorded_since`)."""
    newest = model.objects.filter(programme_id=programme_id).order_by("-pk")
    return newest.values_list("pk", flat=True).first() or 0


def refuse_if_recorded_since(model: Any, programme: Any, seen_latest: int | None, message: str) -> None:
    """In the caller's transaction: take the programme's lock (one new version at a time),
    then raise Conflict(`message`) if a version of `model` was recorded after the newest one
    the page or client read (`seen_latest`; None: not asked). Two managers' versions for one
    day were both recorded, the later one applying, and neither was told."""
    from remis.lib.errors import Conflict

    type(programme).objects.select_for_update().filter(pk=programme.pk).values_list("pk", flat=True).first()
    if seen_latest is not None and newest_id(model, programme.pk) > seen_latest:
        raise Conflict(message)


def versions_of(model: Any, programme_id: int) -> Any:
    """Every version that applies to the programme, its own and the shipped one, newest first."""
    rows = model.objects.filter(Q(programme_id=programme_id) | Q(programme__isnull=True))
    return rows.order_by(*NEWEST).select_related("created_by")
