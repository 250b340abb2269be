"""What the administration pages share: list paging from GET filters, and action errors
shown on the form field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from remis.lib.errors import DomainError


def add_errors(form: forms.Form, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Each error of the action on its field (or the form as a whole)."""
    for field, message in error.errors:
        name = (aliases or {}).get(field or "", field)
        form.add_error(name if name in form.fields else None, message)


def page_query(params: QueryDict, page: int) -> str:
    """The query string of the same filters on another page."""
    query = params.copy()
    query["page"] = str(page)
    return query.urlencode()


def filter_values(form: forms.Form) -> dict[str, Any]:
    return form.cleaned_data if form.is_bound and form.is_valid() else {}


def filters_refused(form: forms.Form) -> bool:
    """Whether a list's filters could not be read: the list then shows nothing under the
    error, not every row as if none were asked ("?role=Counsellor" listed every user)."""
    return form.is_bound and not form.is_valid()
