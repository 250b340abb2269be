"""`ordered_walk` plans a few statements as index walks on PostgreSQL and leaves every other
statement of the connection planned as before, inside a caller's transaction too."""

from __future__ import annotations

import pytest
from django.db import connection

from remis.lib.plans import SETTINGS, ordered_walk

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner settings"),
]


def _settings() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(SETTINGS)), list(SETTINGS))
        return dict(zip(SETTINGS, cursor.fetchone(), strict=True))


def test_the_walk_has_its_settings_and_the_statements_after_it_do_not():
    before = _settings()  # in the test's transaction: the walk is nested
    assert before["enable_hashjoin"] == "on"
    with ordered_walk():
        assert _settings() == SETTINGS
    assert _settings() == before


def test_an_error_inside_the_walk_leaves_the_settings_as_they_were():
    before = _settings()
    with pytest.raises(ZeroDivisionError), ordered_walk():
        assert _settings()["enable_sort"] == "off"
        _ = 1 / 0
    assert _settings() == before
