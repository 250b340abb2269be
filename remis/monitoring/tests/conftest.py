"""Fixtures shared by the monitoring tests."""

from __future__ import annotations

from typing import Any

import pytest

from remis.monitoring.configuration import seed_instruments, seed_rules
from remis.monitoring.models import Instrument, ScheduleRules


@pytest.fixture
def shipped_monitoring(parallel_db: Any) -> Any:
    """`parallel_db` with the shipped schedule and instruments, which an earlier
    transactional test's flush removed (migrations seeded them once)."""
    if not ScheduleRules.objects.exists():
        seed_rules(ScheduleRules)
    if not Instrument.objects.exists():
        seed_instruments(Instrument)
    return parallel_db
