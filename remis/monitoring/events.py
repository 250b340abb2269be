"""Follow-up monitoring's domain events (ids, codes and dates only; see remis.lib.events).

`VisitRecorded` comes from `actions.record_visit`; `ScoreComputed` from
`responses.save_responses`, the one path of every response (a form, the API, a KoBo
import), emitted for a whole batch with `emit_many` so a bulk import pays once per chunk."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from remis.lib.events import Event


@dataclass(frozen=True)
class VisitRecorded(Event):
    """A returnee was reached for a follow-up round: the round is done."""

    name = "monitoring.visit_recorded"
    case_id: int
    follow_up_id: int
    round: int
    visited_on: dt.date
    mode: str


@dataclass(frozen=True)
class ScoreComputed(Event):
    """A response was saved and scored. `band` is the composite score's band code ("" when
    the instrument has no composite); `round` is None outside a follow-up round."""

    name = "monitoring.score_computed"
    response_uuid: uuid.UUID
    case_id: int
    instrument: str
    instrument_version: int
    round: int | None
    collected_on: dt.date
    band: str
