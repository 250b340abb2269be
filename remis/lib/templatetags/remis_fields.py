"""`field_html`: one form field with its label, help text and errors, as pages show them.

Written in Python rather than as a template: a case page shows some sixty fields, and the
template's tests and lookups cost about as much as the widgets themselves. What it writes
(the rules `includes/field.html` states, which calls it):

- the help text's and the errors' ids are the ones Django names in the input's
  `aria-describedby` (`<id>_helptext`, `<id>_error`), so screen readers read them with it;
- a group of checkboxes or radio buttons is a `<fieldset>` whose `<legend>` names it;
- a single checkbox comes before its label; any other input after it.

Loaded as a template builtin (settings.TEMPLATES)."""

from __future__ import annotations

from django import forms, template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def field_html(field: forms.BoundField) -> SafeString:
    errors = field.errors
    failed = " has-error" if errors else ""
    label = conditional_escape(field.label)
    widget = str(field)
    if field.use_fieldset:
        described = field.aria_describedby
        described_by = f' aria-describedby="{conditional_escape(described)}"' if described else ""
        head = f'<fieldset class="field{failed}"{described_by}>\n  <legend>{label}</legend> {widget}\n'
    else:
        target = conditional_escape(field.id_for_label)
        if getattr(field.field.widget, "input_type", None) == "checkbox":
            head = f'<div class="field{failed} check">\n  {widget} <label for="{target}">{label}</label>\n'
        else:
            head = f'<div class="field{failed}">\n  <label for="{target}">{label}</label> {widget}\n'
    help_text = ""
    if field.help_text:
        about = conditional_escape(field.help_text)
        help_text = f'<small class="help" id="{conditional_escape(field.auto_id)}_helptext">{about}</small>'
    shown_errors = ""
    if errors:
        shown = "".join(f'<p class="error" role="alert">{conditional_escape(str(e))}</p>' for e in errors)
        shown_errors = f'<div id="{conditional_escape(field.auto_id)}_error">{shown}</div>'
    close = "</fieldset>" if field.use_fieldset else "</div>"
    # The spacing of the template this replaced, kept so that pages did not change.
    return mark_safe(f"\n{head}\n  {help_text}\n  {shown_errors}\n{close}\n")  # noqa: S308 - escaped above
