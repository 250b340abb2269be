"""The plan's domain events, emitted by `remis/assistance/actions/` after commit. Later
apps (referrals: an approved referral item; monitoring and reports: assistance received)
subscribe to these instead of being called. Ids, codes and dates only (remis.lib.events);
amounts travel as their text, never as floats."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from remis.lib.events import Event


@dataclass(frozen=True)
class PlanSubmitted(Event):
    name = "assistance.plan_submitted"
    case_uuid: uuid.UUID
    number: int


@dataclass(frozen=True)
class PlanDecided(Event):
    """An approver approved or returned a version; `status` is the version's status after
    (an approval of a plan needing two approvers may leave it submitted)."""

    name = "assistance.plan_decided"
    case_uuid: uuid.UUID
    number: int
    decision: str  # "approved" or "returned"
    status: str


@dataclass(frozen=True)
class InstalmentRecorded(Event):
    name = "assistance.instalment_recorded"
    case_uuid: uuid.UUID
    item_key: uuid.UUID
    item_type: str  # the assistance type's code
    paid_on: dt.date
    amount: str
    currency: str


@dataclass(frozen=True)
class ItemStatusChanged(Event):
    """An item of the plan in force moved (in progress, delivered, cancelled): a referral
    of a cancelled item is no longer to be delivered (the referrals app cancels it)."""

    name = "assistance.item_status_changed"
    case_id: int
    item_key: uuid.UUID
    status: str
