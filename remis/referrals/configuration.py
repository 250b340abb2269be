"""The referral configuration, each read through one accessor: the shipped dataset and sector
matches (defaults/referrals.yaml), and the days before an unanswered referral is overdue
(ReferralRules: a programme's own version from a date, else the shipped one)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from remis.lib.defaults import load
from remis.programmes.versioned import newest_id, version_on, versions_of

SHIPPED_FROM = dt.date(2000, 1, 1)
DEFAULT_OVERDUE_DAYS = 10


@cache
def _shipped() -> dict[str, Any]:
    return dict(load("referrals", "referrals.yaml"))


def shared_fields() -> tuple[str, ...]:
    return tuple(_shipped().get("shared_fields") or ())


def sectors_for(type_code: str) -> tuple[str, ...]:
    """The provider sectors matching an assistance type; empty: any provider matches."""
    return tuple((_shipped().get("sectors_by_type") or {}).get(type_code) or ())


def rules_on(programme_id: int | None, day: dt.date) -> Any:
    """The ReferralRules in force on `day` (remis/programmes/versioned.py)."""
    from remis.referrals.models import ReferralRules

    return version_on(ReferralRules, programme_id, day)


def overdue_days(programme_id: int | None, day: dt.date) -> int:
    rules = rules_on(programme_id, day)
    return rules.overdue_days if rules else DEFAULT_OVERDUE_DAYS


def rules_history(programme_id: int) -> Any:
    """Every ReferralRules version that applies to the programme, newest first."""
    from remis.referrals.models import ReferralRules

    return versions_of(ReferralRules, programme_id)


def latest_rules_id(programme_id: int) -> int:
    """The newest referral rules version's id of the programme (0: none): what a page listed."""
    from remis.referrals.models import ReferralRules

    return newest_id(ReferralRules, programme_id)


def seed_rules(model: Any) -> None:
    """The shipped row (programme blank), from defaults/referrals.yaml; kept if present."""
    days = int(_shipped().get("overdue_days") or DEFAULT_OVERDUE_DAYS)
    if not model.objects.filter(programme__isnull=True, effective_from=SHIPPED_FROM).exists():
        model.objects.create(programme=None, effective_from=SHIPPED_FROM, overdue_days=days)
