"""Serve each signed-in user in the language they chose, over the browser's guess; sign out
a session left idle."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

LAST_SEEN_KEY = "remis_last_seen"  # seconds since the epoch of the session's last request
TOUCH_EVERY = 60  # seconds: the session is written at most once a minute, not on every request


def note_sign_in(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Signing in is activity (connected to `user_logged_in`)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = int(time.time())


class NoStoreMiddleware:
    """Every page served to a signed-in user says `Cache-Control: no-store`: an assessment's
    trafficking answers, a referral's phone number or a plan stayed in a shared computer's
    browser cache, where only the case page said not to keep them. A view that says
    otherwise (a download's own header) is left as it is."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


SEARCH_PARAMETERS = ("q", "search")  # may hold a name: never carried from one address to another


def _page_path(request: HttpRequest) -> str:
    """Where to come back to after signing in again: for an htmx request, the page it was
    sent from (htmx's HX-Current-URL, on this site), not the fragment's own address (a home
    page card's led to a bare card); otherwise the address asked for. Its path only: a query
    string may hold a name searched for."""
    from urllib.parse import urlparse

    from django.utils.http import url_has_allowed_host_and_scheme

    current = request.headers.get("HX-Current-URL", "") if getattr(request, "htmx", False) else ""
    if current and url_has_allowed_host_and_scheme(current, {request.get_host()}):
        return urlparse(current).path or request.path
    return request.path


def _to_sign_in(response: HttpResponse) -> bool:
    """Whether the response sends the browser to the sign-in page (`login_required`)."""
    target = response.get("HX-Redirect") or (response.get("Location") if response.status_code == 302 else "")
    return bool(target) and str(target).startswith(f"{reverse('login')}?")


class IdleTimeoutMiddleware:
    """Signs out a session left without a request for `REMIS_SESSION_IDLE_MINUTES` (30 by
    default): a case worker who leaves a shared office computer does not leave returnees'
    records open. The next request goes to the sign-in page, which says why, and back to the
    page asked for (its path only: a query string may hold a name searched for; a form sent
    after the timeout is not sent again, and the page it was on says so). API tokens are not
    sessions and are not concerned."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            seen = request.session.get(LAST_SEEN_KEY)
            minutes = int(settings.REMIS_SESSION_IDLE_MINUTES)
            if isinstance(seen, int) and now - seen > minutes * 60:
                return self._signed_out(request, minutes)
            if not isinstance(seen, int) or now - seen >= TOUCH_EVERY:
                request.session[LAST_SEEN_KEY] = now
        signed_in = user is not None and user.is_authenticated
        response = self.get_response(request)
        if not signed_in and request.method == "POST" and _to_sign_in(response):
            # A form sent from a page whose session ended otherwise (signed out in another
            # tab, the password changed elsewhere): it went to the sign-in page without a
            # word, and what was typed was lost unnoticed.
            messages.warning(
                request,
                _("You were signed out. What you were sending was not saved: sign in, then enter it again."),
            )
        return response

    def _signed_out(self, request: HttpRequest, minutes: int) -> HttpResponse:
        logout(request)
        messages.info(
            request,
            ngettext(
                "You were signed out after %(minutes)s minute without activity. Sign in again to go on.",
                "You were signed out after %(minutes)s minutes without activity. Sign in again to go on.",
                minutes,
            )
            % {"minutes": minutes},
        )
        if request.method != "GET":
            # Not sent again; it was lost without a word and the user landed on the
            # dashboard. Back to the page the form was on (FormAddressMiddleware leads a
            # form's address to it), told to enter it again.
            messages.warning(request, _("What you were sending was not saved: enter it again."))
        url = f"{reverse('login')}?{urlencode({'next': _page_path(request)})}"
        if getattr(request, "htmx", False):  # a fragment's request: htmx loads the whole page
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)


class TwoFactorMiddleware:
    """Sends a signed-in session that has not passed the second factor to where it does:
    to the code page when the user has an authenticator, to set one up when their roles
    require it (`two_factor.requires_two_factor`). Until then only signing out and the
    language switch are open. API tokens are not sessions and are not concerned."""

    OPEN = ("two_factor_verify", "two_factor_setup", "two_factor_codes", "logout", "set_language")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.open_paths: frozenset[str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path_info.startswith("/api/")
            and not user.is_verified()
        ):
            target = self._target(user)
            if target is not None:
                if self.open_paths is None:
                    self.open_paths = frozenset(reverse(name) for name in self.OPEN)
                # With an authenticator, setting up another needs it first (the page sends back).
                if request.path_info not in self.open_paths:
                    return self._redirect(request, reverse(target))
                request.remis_two_factor_pending = True  # type: ignore[attr-defined]  # base.html: no menu yet
        return self.get_response(request)

    @staticmethod
    def _target(user: Any) -> str | None:
        from remis.accounts.two_factor import has_two_factor, requires_two_factor

        if has_two_factor(user):
            return "two_factor_verify"
        if requires_two_factor(user):
            return "two_factor_setup"
        return None

    @staticmethod
    def _redirect(request: HttpRequest, url: str) -> HttpResponse:
        if request.method == "GET" and request.path != "/":
            # The address with its filters: the sign-in just before kept them, and a budget
            # link for a quarter opened unfiltered after the code, with no word. A search
            # typed into an address (a name) is left out, as searches are sent in the body.
            kept = request.GET.copy()
            for name in SEARCH_PARAMETERS:
                kept.pop(name, None)
            target = f"{request.path}?{kept.urlencode()}" if kept else request.path
            url = f"{url}?{urlencode({'next': target})}"
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "preferred_language", "") if user is not None else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class HtmxSignInRedirectMiddleware:
    """An htmx request sent once the session has ended (signed out in another tab) got the
    sign-in page's redirect, which htmx followed and swapped into the panel: a whole sign-in
    page inside the case list's results, whose form posted nowhere useful. The browser is
    sent to the sign-in page instead, as the idle sign-out does."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "htmx", False) and response.status_code == 302:
            from django.conf import settings
            from django.shortcuts import resolve_url

            location = response.get("Location", "")
            if location.startswith(resolve_url(settings.LOGIN_URL)):
                redirect = HttpResponse(status=204)
                redirect["HX-Redirect"] = (
                    f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': _page_path(request)})}"
                )
                return redirect
        return response


class FormAddressMiddleware:
    """An address that only receives forms, opened as a page: after signing in again, the
    sign-in page sends the browser back to where a form was being sent (`next`), and a
    blank "405" answered (the refer form, an assessment's flags, a job's start). The browser
    goes to the nearest page above that address instead: the case, the list, the record the
    form was on. The JSON API keeps its 405s."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or request.method != "GET" or request.path.startswith("/api/"):
            return response
        if not getattr(request.user, "is_authenticated", False):
            return response  # signed out: the sign-in comes first, wherever the address led
        from django.urls import Resolver404, resolve

        parts = [p for p in request.path.split("/") if p]
        while parts:
            parts.pop()
            above = "/" + "/".join(parts) + ("/" if parts else "")
            try:
                resolve(above)
            except Resolver404:
                continue
            return HttpResponseRedirect(above)
        return response
