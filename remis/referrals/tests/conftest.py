from __future__ import annotations

from typing import Any

import pytest

from remis.referrals.tests.factories import Setting, consent, setting


@pytest.fixture
def s(world: Any) -> Setting:
    """A consented case with a referral item, and three providers (see factories)."""
    found = setting(world)
    consent(world, found.case)
    return found
