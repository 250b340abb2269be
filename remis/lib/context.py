"""Template context every page shares, whatever the app."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def page_path(request: HttpRequest) -> dict[str, str]:
    """The address the language switch returns to: the page being read.

    A page drawn in answer to a POST (a form refused, shown again with its errors) lives at
    the form's action, which answers only POST: returning there after a language change met
    "405 Method not allowed". It returns to the page the form was sent from instead (the
    Referer, when it is this site's), or to the home page.
    """
    if request.method in ("GET", "HEAD"):
        return {"page_path": request.get_full_path()}
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return {"page_path": parts.path + (f"?{parts.query}" if parts.query else "")}
    return {"page_path": "/"}
