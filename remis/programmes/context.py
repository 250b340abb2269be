"""What the navigation offers for programme administration: only what the user may do."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from remis.programmes.queries import manages_configuration


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"programme_nav": {"configuration": manages_configuration(user)}}
