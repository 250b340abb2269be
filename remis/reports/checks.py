"""Deployment checks of the reports app."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def pseudonym_key_set(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Production should set its own pseudonym key: derived from SECRET_KEY, every research
    pseudonym changes when that key is rotated (docs/data-protection.md)."""
    if getattr(settings, "RESEARCH_PSEUDONYM_KEY", ""):
        return []
    return [
        checks.Warning(
            "RESEARCH_PSEUDONYM_KEY is not set: research pseudonyms are derived from SECRET_KEY and "
            "change when it is rotated.",
            hint="Set RESEARCH_PSEUDONYM_KEY to a long random value and keep it (docs/data-protection.md).",
            id="remis.reports.W001",
        )
    ]
