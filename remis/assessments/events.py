"""Events of the assessments app (remis.lib.events): ids and codes only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from remis.lib.events import Event


@dataclass(frozen=True)
class AssessmentCompleted(Event):
    """An assessment was completed; `proposed` are the codes of the flags its answers propose."""

    name = "assessment.completed"
    case_id: int
    assessment_uuid: uuid.UUID
    instrument_code: str
    instrument_version: int
    proposed: tuple[str, ...]


@dataclass(frozen=True)
class FlagsConfirmed(Event):
    """The case worker decided on an assessment's proposed flags."""

    name = "assessment.flags_confirmed"
    case_id: int
    assessment_uuid: uuid.UUID
    confirmed: tuple[str, ...]
    declined: tuple[str, ...]
