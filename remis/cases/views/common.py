"""What every case page view shares: domain refusals onto forms, the scoped case or 404."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest

from remis.accounts.permissions import Perm
from remis.cases.models import Case
from remis.cases.queries import (
    get_case_for,
)
from remis.lib.errors import DomainError, NotFound
from remis.lib.forms import mark_conflict


def apply_errors(form: forms.Form, error: DomainError) -> None:
    """Show a domain refusal on the form, next to the field it names when it has one (a
    hidden field, such as the version a conflict names, has no place: the form's own), as
    `lib.forms.show_refusal` does, and a document's message beside the document number."""
    mark_conflict(form, error)
    for field, message in error.errors:
        name = (field or "").split("[")[0]
        if name in form.fields and not form.fields[name].widget.is_hidden:
            form.add_error(name, message)
        elif name.startswith("documents"):
            form.add_error("document_number" if "document_number" in form.fields else None, message)
        else:
            form.add_error(None, message)


def case_or_404(request: HttpRequest, case_uuid: str, perm: Perm | None = None) -> Case:
    try:
        return get_case_for(request.user, case_uuid, perm)
    except NotFound:
        raise Http404 from None
