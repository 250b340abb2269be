"""Shared personas, named so their roles are easy to remember.

- alice: counsellor at the Belgian host-country office (registers, counsels, submits)
- bob: case worker at the Guinean reintegration partner (receives, reception, closes)
- carol: read-only M&E officer at the Belgian office (views cases, writes nothing)
- dave: counsellor at the Dutch office: an outsider to Belgian cases
- victor: viewer at a donor: aggregates only, no case records
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

# CI replays the same generated examples every run, so it fails only for a change in the
# code; runs on a developer's machine draw new examples and keep exploring.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    """Each test starts with no cached statistics: ids repeat between tests."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def world(db: Any) -> Any:
    from remis.cases.tests.factories import make_world

    return make_world()


@pytest.fixture
def alice(world: Any) -> Any:
    return world.alice


@pytest.fixture
def bob(world: Any) -> Any:
    return world.bob


@pytest.fixture
def carol(world: Any) -> Any:
    return world.carol


@pytest.fixture
def dave(world: Any) -> Any:
    return world.dave


@pytest.fixture
def victor(world: Any) -> Any:
    return world.victor


@pytest.fixture
def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
