"""What the programme pages share: turning an action's refusal into form errors."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest

from remis.lib.errors import DomainError
from remis.lib.forms import show_refusal
from remis.lib.posted import posted_page

# Fields an action names that no form shows as an input: their messages go above the form.
NOT_INPUTS = {"version", "partner"}


def show_errors(form: forms.Form, error: DomainError) -> None:
    """Each of the action's messages on the field it names, or above the form."""
    show_refusal(form, error, above=NOT_INPUTS)


def page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return posted_page(raw)
