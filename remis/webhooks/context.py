"""The webhooks link of the navigation, for those who manage their organisation's."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from remis.webhooks.queries import may_manage


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"webhook_nav": may_manage(user)}
