"""Responses every app's pages share."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """A refusal in the site's layout (navigation, language), saying why, with status 403."""
    return render(request, "403.html", {"message": message}, status=403)


def readers_of_cases_only(view: Any) -> Any:
    """A page listing case records (follow-ups, budgets by plan): a role reading figures
    only (a funder's viewer) is told where its figures are, not shown an empty list that
    contradicts the dashboard ("no round is open" beside 689 cases in monitoring)."""
    from functools import wraps

    from django.utils.translation import gettext as _

    from remis.accounts.permissions import Perm
    from remis.accounts.scope import grants_with

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not grants_with(request.user, Perm.CASE_VIEW):
            return forbidden(
                request,
                _(
                    "This page lists case records, which your role does not read: the figures are "
                    "in the return statistics, the outcomes and the indicators."
                ),
            )
        return view(request, *args, **kwargs)

    return wrapped
