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


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page opened in an earlier session (signed out, or out and in again,
    in another tab): Django's bare "CSRF verification failed" page, in English, with no way
    back, and the typed text gone. Said in the site's layout and the reader's language, with
    the way back to the page the form was on (same site only)."""
    from urllib.parse import urlsplit

    from django.utils.http import url_has_allowed_host_and_scheme
    from django.utils.translation import gettext as _

    referer = request.META.get("HTTP_REFERER", "")
    back = ""
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        parts = urlsplit(referer)
        back = parts.path + (f"?{parts.query}" if parts.query else "")
    message = _(
        "Nothing was saved: this page was opened before you last signed in or out (in another tab, "
        "perhaps), so the form can no longer be sent. Open the page again, then send it again."
    )
    return render(request, "403.html", {"message": message, "back": back}, status=403)
