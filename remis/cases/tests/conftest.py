"""Fixtures the case tests share beyond the personas of the root conftest."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def only_the_cases_guards() -> Any:
    """The cases tests exercise the cases app's own state machine. Later apps register
    guards of their own on its stages from their AppConfig.ready() (assessments: a completed
    assessment before Reintegration plan; assistance: an approved plan before Assistance),
    which these tests cannot satisfy without importing those apps, and which those apps
    test themselves. So each cases test runs with the cases app's guards only
    (`factories.only_cases_guards`); the others come back afterwards."""
    from remis.cases.tests.factories import only_cases_guards

    with only_cases_guards():
        yield
