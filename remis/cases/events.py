"""The case journey's domain events, emitted by the actions in `remis/cases/actions/`.

Later stages (assistance, monitoring, reports, webhooks) subscribe to these instead of
being called by the cases app: `events.subscribe(StageChanged, handler)` in their
`AppConfig.ready()`. Payloads are ids, codes, flags and dates only (see remis.lib.events).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from remis.lib.events import Event


@dataclass(frozen=True)
class CaseRegistered(Event):
    """A case was registered (in the host country, or after arrival at `stage` returned)."""

    name = "case.registered"
    case_id: int
    case_uuid: uuid.UUID
    programme_id: int
    stage: str
    return_type: str
    arrival_date: dt.date | None


@dataclass(frozen=True)
class StageChanged(Event):
    """The case moved along its journey (closing and reopening are moves too)."""

    name = "case.stage_changed"
    case_id: int
    from_stage: str
    to_stage: str


@dataclass(frozen=True)
class CaseClosed(Event):
    name = "case.closed"
    case_id: int
    closure_reason: str
    from_stage: str


@dataclass(frozen=True)
class CaseReopened(Event):
    name = "case.reopened"
    case_id: int
    to_stage: str


@dataclass(frozen=True)
class CaseImported(Event):
    """An import wrote a new case at its stage, with its own dates (no journey event is
    emitted for it: nothing replays a 2010 return). Later apps give an open case what its
    stage needs from today on, in the import's transaction (subscribe_in_transaction), so
    an import killed and run again ends as an uninterrupted one."""

    name = "case.imported"
    case_id: int
    stage: str
    arrival_date: dt.date | None


@dataclass(frozen=True)
class TravelSaved(Event):
    """The return travel was recorded or changed; `arrival_changed` when the case's
    arrival date moved (monitoring schedules hang on it)."""

    name = "case.travel_saved"
    case_id: int
    departure_date: dt.date | None
    arrival_date: dt.date | None
    previous_arrival_date: dt.date | None
    arrival_changed: bool


@dataclass(frozen=True)
class ConsentRecorded(Event):
    """A consent statement: `given` False is a withdrawal or refusal."""

    name = "case.consent_recorded"
    case_id: int
    consent_id: int
    purpose: str
    given: bool


@dataclass(frozen=True)
class SubmissionSent(Event):
    name = "case.submission_sent"
    case_id: int
    submission_id: int
    to_organisation_id: int


@dataclass(frozen=True)
class SubmissionAnswered(Event):
    name = "case.submission_answered"
    case_id: int
    submission_id: int
    to_organisation_id: int
    accepted: bool


@dataclass(frozen=True)
class PersonUpdated(Event):
    """A person's details changed; `fields` names what changed (never the values)."""

    name = "person.updated"
    person_id: int
    case_id: int
    fields: tuple[str, ...]


@dataclass(frozen=True)
class CaseAnonymised(Event):
    """Retention anonymised a closed case (`cases/actions/retention.py`). Later apps coarsen
    their own exact dates of the case to the month in an in-transaction handler, so the case
    is anonymised whole or not at all."""

    name = "case.anonymised"
    case_id: int
