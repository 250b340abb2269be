from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def case(world: Any) -> Any:
    """A returned case, accepted by the Guinean partner (bob's organisation)."""
    from remis.cases.tests.factories import returned_case

    return returned_case(world)
