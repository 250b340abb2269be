"""The demo's retention policy: the Belgian programme keeps a closed case whole for one year
(a synthetic policy, shorter than real ones, so that a few thousand cases spread over three
years include some that expired). The retention job runs once when the demo is loaded, so
that its users meet anonymised cases: what they still show, and what they no longer do."""

from __future__ import annotations

from django.utils import timezone

from remis.accounts.models import User
from remis.cases.actions.retention import apply_retention
from remis.programmes.actions import change_programme_settings
from remis.programmes.models import Programme

PROGRAMME = "REAB-BE"
YEARS = 1


def apply_demo_retention() -> dict[str, int]:
    """Set the policy (from today) and run the job; returns its counts."""
    programme = Programme.objects.get(code=PROGRAMME)
    change_programme_settings(
        User.objects.get(username="admin"),
        programme,
        timezone.localdate(),
        {"retention_years": YEARS},
        note="Demo policy: closed cases are kept whole for one year, then anonymised.",
    )
    return apply_retention()
