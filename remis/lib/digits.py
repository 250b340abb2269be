"""Dates and numbers typed with Arabic-Indic digits (٢٠٢٦-١٢-٠٤, ١٥٠٫٥), as an Arabic
keyboard types them, read in every form: Django's date, time and number fields read only
0-9, so "٣ nights" was accepted where a field was text and "٢٠٢٦-١٢-٠٤" refused where it
was a date. One change to those fields (made once, at start-up, by `LibConfig.ready`)
rather than a subclass in every form: a form written later cannot forget it. Free text
keeps the digits as typed."""

from __future__ import annotations

from typing import Any

from django import forms

from remis.lib.text import latin_digits

# The Arabic decimal separator (٫) reads as the point; the Arabic thousands separator (٬)
# as the comma the fields already know.
_SEPARATORS = str.maketrans({"\u066b": ".", "\u066c": ","})
_FIELDS: tuple[type[forms.Field], ...] = (
    forms.DateField,
    forms.DateTimeField,
    forms.TimeField,
    forms.IntegerField,
    forms.DecimalField,
    forms.FloatField,
)


def latin_number_text(value: Any) -> Any:
    """A typed value with 0-9 digits and the point for the Arabic decimal separator; any
    other value as it is."""
    return latin_digits(value).translate(_SEPARATORS) if isinstance(value, str) else value


def read_arabic_indic_digits() -> None:
    for field in _FIELDS:
        original = field.__dict__.get("to_python")
        if original is None or getattr(original, "reads_arabic_indic_digits", False):
            continue  # inherited (its parent's reads them), or done already

        def to_python(self: forms.Field, value: Any, _original: Any = original) -> Any:
            return _original(self, latin_number_text(value))

        to_python.reads_arabic_indic_digits = True  # type: ignore[attr-defined]
        field.to_python = to_python  # type: ignore[method-assign]
