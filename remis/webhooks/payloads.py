"""What a webhook carries, and to whom.

The rule: a payload holds the event's code, a fresh event id, when it happened, and ids,
codes and dates of the process only (the case's uuid and reference, its programme code,
stage and countries, the event's own codes). Never a name, a date of birth, a phone, an
address or free text: the domain events carry none (`remis.lib.events` refuses them) and
the case columns read here are the listing's codes.

An organisation hears about a case only while it may see that case: an active
`CaseAccess` row of that organisation (the cases policy's rule for organisations). An
organisation without access gets no delivery at all for that event, not a redacted one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from remis.cases.models import Case, CaseAccess
from remis.lib.events import Event

# The event fields that only locate the case: replaced by the case block below.
_CASE_KEYS = ("case_id",)


@dataclasses.dataclass(frozen=True)
class Prepared:
    """One event made ready: its body without the event id, and who may hear it."""

    case_id: int
    body: dict[str, Any]
    organisations: frozenset[int]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | uuid.UUID):
        return str(value) if isinstance(value, uuid.UUID) else value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _case_blocks(case_ids: set[int]) -> dict[int, dict[str, Any]]:
    rows = Case.objects.filter(pk__in=case_ids).values_list(
        "pk", "uuid", "reference", "programme__code", "stage", "host_country", "origin_country"
    )
    return {
        pk: {
            "uuid": str(case_uuid),
            "reference": reference,
            "programme": programme,
            "stage": stage,
            "host_country": host,
            "origin_country": origin,
        }
        for pk, case_uuid, reference, programme, stage, host, origin in rows
    }


def _audiences(case_ids: set[int]) -> dict[int, set[int]]:
    audiences: dict[int, set[int]] = defaultdict(set)
    rows = CaseAccess.objects.filter(case_id__in=case_ids, revoked_at__isnull=True).values_list(
        "case_id", "organisation_id"
    )
    for case_id, organisation_id in rows:
        audiences[case_id].add(organisation_id)
    return audiences


def prepare(events: Sequence[Event], organisations: set[int]) -> list[Prepared]:
    """The events' bodies for the subscribing `organisations` that may see each case (two
    queries for the whole batch). Events about cases none of them sees are dropped."""
    case_ids = {int(getattr(e, "case_id")) for e in events}  # noqa: B009 - every subscribable event has one
    audiences = _audiences(case_ids)
    wanted = {case_id for case_id in case_ids if audiences.get(case_id, set()) & organisations}
    if not wanted:
        return []
    cases = _case_blocks(wanted)
    occurred_at = timezone.now().isoformat()
    prepared = []
    for event in events:
        case_id = int(getattr(event, "case_id"))  # noqa: B009
        if case_id not in cases:
            continue
        data = {
            f.name: _plain(getattr(event, f.name))
            for f in dataclasses.fields(event)
            if f.name not in _CASE_KEYS
        }
        body = {"event": event.name, "occurred_at": occurred_at, "case": cases[case_id], "data": data}
        prepared.append(Prepared(case_id, body, frozenset(audiences[case_id] & organisations)))
    return prepared
