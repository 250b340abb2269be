"""What every case page view shares: domain refusals onto forms, the scoped case or 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from remis.accounts.permissions import Perm
from remis.cases.models import Case
from remis.cases.queries import access_ended_on, get_case_for
from remis.lib.errors import DomainError, NotFound
from remis.lib.forms import mark_conflict


def apply_errors(form: forms.Form, error: DomainError) -> None:
    """Show a domain refusal on the form, next to the field it names when it has one (a
    hidden field, such as the version a conflict names, has no place: the form's own), as
    `lib.forms.show_refusal` does, and a document's message beside the document number."""
    mark_conflict(form, error)
    for field, message in error.errors:
        name = (field or "").split("[")[0]
        own = "document_country" if name == "issuing_country" else f"document_{name}"
        if name not in form.fields and own in form.fields:
            # The action names a document's own fields ("expires_on"); the person's page
            # names them "document_…" beside the person's: the message stood above the form.
            name = own
        if name in form.fields and not form.fields[name].widget.is_hidden:
            form.add_error(name, message)
        elif name.startswith("documents"):
            form.add_error("document_number" if "document_number" in form.fields else None, message)
        else:
            form.add_error(None, message)


class CaseAccessEnded(Http404):
    """The reader's organisation held the case and its access ended: said with the day
    (a partner's case worker, cut off by a consent withdrawn, read "page not found")."""

    def __init__(self, ended: dt.datetime) -> None:
        super().__init__()
        self.ended = ended


def case_or_404(request: HttpRequest, case_uuid: str, perm: Perm | None = None) -> Case:
    try:
        return get_case_for(request.user, case_uuid, perm)
    except NotFound:
        ended = access_ended_on(request.user, case_uuid)
        if ended is not None:
            raise CaseAccessEnded(ended) from None
        raise Http404 from None


def ended_access(request: HttpRequest) -> dt.datetime | None:
    """When the reader's organisation's access to the case this URL names (`case_uuid`)
    ended, if it did: for a "not found" from any app's case page or API operation (the
    assessments page and the API answered a plain 404, as for a case that never existed)."""
    match = getattr(request, "resolver_match", None)
    case_uuid = match.kwargs.get("case_uuid") if match is not None else None
    return access_ended_on(request.user, case_uuid) if case_uuid else None


class CaseAccessEndedMiddleware:
    """Answers `CaseAccessEnded` with its page (410 Gone), any case view alike."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        ended = exception.ended if isinstance(exception, CaseAccessEnded) else None
        if ended is None and isinstance(exception, Http404):
            ended = ended_access(request)
        if ended is not None:
            return render(request, "cases/access_ended.html", {"ended": ended}, status=410)
        return None
