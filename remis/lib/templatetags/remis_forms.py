"""`fields_in_error`: the fields a form refused, for the summary at its top
(`includes/form_errors.html`). A long form (a questionnaire, the registration form) sent
with answers missing came back at its top with the errors further down, out of sight: the
summary names each field and links to it. Loaded as a template builtin (settings.TEMPLATES)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def fields_in_error(form: Any) -> list[tuple[str, str]]:
    """(anchor, label) of each visible field with an error, in the form's order. The anchor
    is the input (its label's target), else the field's error text: a group of checkboxes
    or radios has no single input."""
    visible = getattr(form, "visible_fields", None)
    if visible is None:
        return []
    return [
        (field.id_for_label or f"{field.auto_id}_error", str(field.label))
        for field in visible()
        if field.errors and field.auto_id
    ]
