"""The referrals' domain events, emitted after commit (ids and codes only)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from remis.lib.events import Event


@dataclass(frozen=True)
class ReferralChanged(Event):
    """A referral was sent (`status` "sent") or moved to `status`."""

    name = "referral.changed"
    referral_uuid: uuid.UUID
    case_id: int
    provider_id: int
    status: str
    on_behalf: bool
