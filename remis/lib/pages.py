"""Responses every app's pages share."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """A refusal in the site's layout (navigation, language), saying why, with status 403."""
    return render(request, "403.html", {"message": message}, status=403)
