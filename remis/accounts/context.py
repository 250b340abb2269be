"""What the navigation offers the signed-in user: only what their roles allow."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from remis.accounts.permissions import Perm
from remis.accounts.queries import managed_organisation_ids, manages_platform
from remis.accounts.scope import grants_for, has_perm, waiting_invitations


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": {
            "cases": has_perm(user, Perm.CASE_VIEW),
            "register": has_perm(user, Perm.CASE_REGISTER),
            "post_arrival": has_perm(user, Perm.CASE_OPEN_POST_ARRIVAL),
            "stats": has_perm(user, Perm.STATS_VIEW),
            "audit": user.is_superuser or has_perm(user, Perm.AUDIT_VIEW_ALL),
            "read_log": user.is_superuser or has_perm(user, Perm.AUDIT_READ_LOG),
            "platform": manages_platform(user),
            "organisation": bool(managed_organisation_ids(user)),
            # A member of an active organisation: reads what every member reads (the service map).
            "member": user.is_superuser or bool(grants_for(user)),
            # Organisations waiting for the user to accept or decline joining them.
            "invitations": waiting_invitations(user),
        }
    }
