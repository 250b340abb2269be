"""Fixtures of the service map tests. Personas from the root conftest: bob (case worker in
Guinea, holds services.manage there), alice (counsellor in Belgium, reads the map only),
carol (M&E officer, reads only). Here: hana, a programme manager whose membership covers
every country."""

from __future__ import annotations

from typing import Any

import pytest

from remis.services.tests.factories import member


@pytest.fixture
def hana(world: Any) -> Any:
    return member("hana", world.be_office, "programme_manager", [], all_countries=True)
