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
    return InForce(model).on(programme_id, day)


class InForce:
    """`version_on` for many (programme, day) pairs: each programme's versions, and the
    shipped ones, read once (newest first) and then chosen in memory. An import asked
    `version_on` once per case (each case's own arrival day), a query a row: half of the
    time of importing returned cases. Keep one for a chunk or a transaction, not longer,
    so that a version recorded meanwhile is seen by the next."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self._rows: dict[int | None, list[Any]] = {}

    def _versions(self, programme_id: int | None) -> list[Any]:
        if programme_id not in self._rows:
            rows = self.model.objects.order_by(*NEWEST)
            if programme_id is None:
                rows = rows.filter(programme__isnull=True)
            else:
                rows = rows.filter(programme_id=programme_id)
            self._rows[programme_id] = list(rows)
        return self._rows[programme_id]

    def on(self, programme_id: int | None, day: dt.date) -> Any:
        """The version in force on `day`: the programme's own latest from then, else the
        shipped one."""
        keys = (programme_id, None) if programme_id is not None else (None,)
        for key in keys:
            for version in self._versions(key):
                if version.effective_from <= day:
                    return version
        return None


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
    from django.utils.translation import gettext as _

    from remis.lib.errors import Conflict

    type(programme).objects.select_for_update().filter(pk=programme.pk).values_list("pk", flat=True).first()
    if seen_latest is not None and newest_id(model, programme.pk) > seen_latest:
        raise Conflict(
            message,
            for_clients=(
                "seen_latest",
                _(
                    "Someone else recorded a version after the newest one you read: read the "
                    "versions again, then send yours with the newest id as seen_latest."
                ),
            ),
        )


def versions_of(model: Any, programme_id: int) -> Any:
    """Every version that applies to the programme, its own and the shipped one, newest first."""
    rows = model.objects.filter(Q(programme_id=programme_id) | Q(programme__isnull=True))
    return rows.order_by(*NEWEST).select_related("created_by")
