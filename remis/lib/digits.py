"""Dates and numbers typed with Arabic-Indic digits (٢٠٢٦-١٢-٠٤, ١٥٠٫٥), as an Arabic
keyboard types them, read in every form: Django's date, time and number fields read only
0-9, so "٣ nights" was accepted where a field was text and "٢٠٢٦-١٢-٠٤" refused where it
was a date. One change to those fields (made once, at start-up, by `LibConfig.ready`)
rather than a subclass in every form: a form written later cannot forget it. Free text
keeps the digits as typed."""

from __future__ import annotations

import re
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


class NumberText(forms.TextInput):
    """A number field's input: text with a numeric keyboard. Chromium empties an
    `<input type="number">` typed with Arabic-Indic digits before the form is sent, so "٣"
    nights or "١٩٨٥" as a year of birth arrived blank and the record saved without them, no
    word said; as text, the digits reach the field, which reads them (above)."""

    input_type = "text"


def type_numbers_as_text() -> None:
    """Number fields draw `NumberText` unless a form gives another widget (start-up, as
    `read_arabic_indic_digits`); min, max and step, meaningless on text, are left to the
    field's own checks, which name the limits in the reader's language."""
    for field in (forms.IntegerField, forms.DecimalField, forms.FloatField):
        field.widget = NumberText
        original = field.__dict__.get("widget_attrs")
        if original is None or getattr(original, "types_numbers_as_text", False):
            continue

        def widget_attrs(self: forms.Field, widget: Any, _original: Any = original) -> Any:
            attrs = _original(self, widget)
            if isinstance(widget, NumberText):
                attrs = {k: v for k, v in attrs.items() if k not in ("min", "max", "step")}
                whole = isinstance(self, forms.IntegerField) and not isinstance(
                    self, (forms.DecimalField, forms.FloatField)
                )
                attrs["inputmode"] = "numeric" if whole else "decimal"
            return attrs

        widget_attrs.types_numbers_as_text = True  # type: ignore[attr-defined]
        field.widget_attrs = widget_attrs  # type: ignore[method-assign]


class GroupedIntegerField(forms.IntegerField):
    """A whole number typed with its thousands grouped by spaces, as French and Arabic write
    them ("1 200"): Django reads grouping only when the project prints it, and refused it
    as not a whole number."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = re.sub(r"(?<=\d)[ \u00a0\u202f\u2009](?=\d{3}\b)", "", value.strip())
        return super().to_python(value)
