"""Form widgets."""

from __future__ import annotations

import html
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


class IsoDateInput(forms.DateInput):
    """`<input type="date">` only understands ISO dates (2026-05-17): whatever the page's
    language, the value is written that way, or the browser shows the field empty and an
    untouched save would erase the date."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class Textarea(forms.Textarea):
    """A textarea whose line breaks arrive as one character each, as the browser counted
    them against `maxlength`: a form sends each as CRLF, two characters, so a text within
    the browser's limit was refused as too long by the same limit on the server (and lost
    where the page redirected). Stored text then holds LF only, as the API's does."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class FastSelect(forms.Select):
    """A <select> built in Python. Django renders each <option> through a template, which
    costs milliseconds on lists of hundreds (countries) and on every case-list page.
    Escaping is format_html's; no option groups."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        chosen = value if isinstance(value, list | tuple) else [value]
        # As Django's Select: the blank choice is marked when the value is blank ("any" chosen).
        selected = {"" if v is None else str(v) for v in chosen}
        # One string built with the standard library's escape: format_html per option went
        # through Django's lazy-aware escape three times an option (a country list: 750 calls).
        parts = []
        for option_value, label in self.choices:
            mark = ""
            if str(option_value) in selected:
                mark = " selected"
                if not self.allow_multiple_selected:
                    selected = set()  # as Django: one option of a single select, the first
            parts.append(f'<option value="{_escaped(option_value)}"{mark}>{_escaped(label)}</option>')
        options = "".join(parts)
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(final_attrs),
            mark_safe(options),  # noqa: S308
        )


def _escaped(value: Any) -> str:
    """As Django's conditional_escape: safe text as it is, anything else HTML-escaped."""
    text = str(value)  # a lazy translation becomes its text (and may be safe text)
    return text.__html__() if hasattr(text, "__html__") else html.escape(text)
