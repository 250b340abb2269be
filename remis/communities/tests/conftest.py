from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def project(world: Any, bob: Any) -> Any:
    """A project in Guinea kept by Bob's organisation (the Guinean partner)."""
    from remis.communities.actions import create_project

    return create_project(bob, valid_values())


def valid_values(**changes: Any) -> dict[str, Any]:
    import datetime as dt

    values: dict[str, Any] = {
        "name": "Tree nursery of Kindia",
        "kind": "environment",
        "sector": "livelihoods",
        "programme": "BE-REAB",
        "country": "GN",
        "area_1": "Kindia",
        "area_2": "Friguiagbé",
        "description": "Seedlings for reforestation, sold to the prefecture.",
        "status": "ongoing",
        "start_date": dt.date(2026, 3, 1),
        "end_date": None,
        "budget": "25000",
        "currency": "EUR",
        "tags": ["sdg_10_2", "gcm_21"],
        "members": {"F_18_34": 6, "M_18_34": 4, "F_35_plus": 2},
        "outcomes": "",
    }
    values.update(changes)
    return values
