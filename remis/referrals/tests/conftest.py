from __future__ import annotations

from typing import Any

import pytest

from remis.cases.tests.conftest import api_client, signed_in
from remis.referrals.tests.factories import Setting, consent, setting

__all__ = ["api_client", "signed_in"]


@pytest.fixture
def s(world: Any) -> Setting:
    """A consented case with a referral item, and three providers (see factories)."""
    found = setting(world)
    consent(world, found.case)
    return found
