"""Answers and readers the assessment tests share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from remis.accounts.models import Role
from remis.accounts.permissions import Perm
from remis.assessments.actions import age_on
from remis.cases.tests.factories import make_user

# Every required question of the shipped instrument answered, and a chronic illness (health).
BORN = dt.date(1994, 5, 17)  # the test principal's date of birth (`PersonDataFactory`)
COMPLETE: dict[str, Any] = {
    "main_income_source": "casual_work",
    "household_income": "not_enough",
    "debts": "yes",
    "debt_amount": "1200.50",
    "employment": "looking",
    "skills": ["trade", "driving"],
    "housing": "with_family",
    "identity_document": "yes",
    "family_ties": "some",
    # The test principal's age today (born 17 May 1994, `PersonDataFactory`): an age the case
    # contradicts is refused.
    "age": age_on(BORN, dt.date.today()),
    "wellbeing": "fair",
    "feels_safe": "mostly",
    "remigration": "undecided",
    "chronic_illness": "yes",
}


def answers(**changes: Any) -> dict[str, Any]:
    merged = {**COMPLETE, **changes}
    return {k: v for k, v in merged.items() if v is not None}


def worker_without_health(world: Any) -> Any:
    """A case worker of the Guinean partner whose role reads every sensitive group but health."""
    permissions = [
        str(p)
        for p in (
            Perm.CASE_VIEW,
            Perm.CASE_EDIT,
            Perm.ASSESSMENT_RECORD,
            Perm.SENSITIVE_PROTECTION,
            Perm.SENSITIVE_PSYCHOSOCIAL,
            Perm.SENSITIVE_IDENTITY,
        )
    ]
    Role.objects.get_or_create(code="no_health", defaults={"name": "No health", "permissions": permissions})
    return make_user("nina", world.gn_partner, "no_health", ["GN"])
