"""The imports and exports links of the navigation, for those who may use them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from remis.interop.queries import may_export, may_import


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"import_nav": may_import(user), "export_nav": may_export(user)}
