"""The referral links of the navigation: the inbox for provider staff (and anyone who answers
referrals), the funnel for those who refer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from remis.accounts.permissions import Perm
from remis.accounts.scope import has_perm


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "referral_nav": {
            "inbox": has_perm(user, Perm.REFERRAL_ANSWER) and not has_perm(user, Perm.CASE_VIEW),
            "funnel": has_perm(user, Perm.CASE_VIEW) and has_perm(user, Perm.REFERRAL_SEND),
        }
    }
