"""The monitoring instruments link of the navigation, for the platform operator, who records
their new versions and reads no case (the follow-ups link is for readers of cases)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    from remis.monitoring.actions import may_change_scoring

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"instruments_nav": may_change_scoring(user)}
