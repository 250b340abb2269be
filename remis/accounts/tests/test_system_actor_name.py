"""The system actor is named in the reader's language wherever people are named (histories,
the audit search), not by the English name stored on its record."""

from __future__ import annotations

import pytest
from django.utils import translation

from remis.accounts.system import system_actor

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "name"), [("en", "REMIS (system)"), ("fr", "REMIS (système)"), ("ar", "REMIS (النظام)")]
)
def test_the_system_actor_is_named_in_the_readers_language(language, name):
    with translation.override(language):
        assert system_actor().display_name == name
