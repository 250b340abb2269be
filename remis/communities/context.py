"""The community projects link of the navigation, for every member of an organisation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from remis.communities.queries import may_read_projects


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"project_nav": may_read_projects(user)}
