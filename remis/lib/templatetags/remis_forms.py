"""`fields_in_error`: the fields a form refused, for the summary at its top
(`includes/form_errors.html`). A long form (a questionnaire, the registration form) sent
with answers missing came back at its top with the errors further down, out of sight: the
summary names each field and links to it. Loaded as a template builtin (settings.TEMPLATES)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

register = template.Library()


@register.filter
def fields_in_error(form: Any, more: Any = None) -> list[tuple[str, str]]:
    """(anchor, label) of each visible field with an error, in the form's order, then those
    in `more` (the rows of a formset beside it: `rows_in_error`). The anchor is the input
    (its label's target), else the field's error text: a group of checkboxes or radios has
    no single input."""
    visible = getattr(form, "visible_fields", None)
    if visible is None:
        return []
    found = [
        (field.id_for_label or f"{field.auto_id}_error", str(field.label))
        for field in visible()
        if field.errors and field.auto_id
    ]
    return found + list(more or [])


# A formset's row names, with `%(n)s` for the row's number. Translated here, not in the
# template: `{% translate "…%(n)s" as … %}` looks the text up as "…%%(n)s", found in no
# catalogue, and the French summary read "Household member 1".
ROW_LABELS = {"member": gettext_lazy("Household member %(n)s")}


@register.filter
def rows_in_error(formset: Any, row: str) -> list[tuple[str, str]]:
    """The fields refused in a formset's rows, each named after its row: `row` names the
    kind of row (ROW_LABELS)."""
    row_label = str(ROW_LABELS[row])
    return [
        (anchor, _("%(row)s: %(field)s") % {"row": row_label % {"n": number}, "field": label})
        for number, row in enumerate(getattr(formset, "forms", []), start=1)
        for anchor, label in fields_in_error(row)
    ]


@register.filter
def money(value: Any, currency: Any = "") -> str:
    """An amount as the reader writes it, with its currency's decimals (`lib/money`):
    "1 500 000 GNF", "1 500,50 EUR"."""
    from decimal import Decimal, InvalidOperation

    from remis.lib.money import amount_text

    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return amount_text(amount, str(currency or ""))


@register.filter
def country_name(code: Any) -> str:
    """A country's name in the reader's language, from its ISO code ("GN" → "Guinée")."""
    from remis.lib.countries import country_name as name_of

    return name_of(str(code)) if code else ""


@register.filter
def percent(share: Any) -> str:
    """A share (0 to 1) as a whole percentage written as the reader's language writes it
    ("43%", "43 %"): the outcome tables wrote "43 %" in English."""
    if share is None or share == "":
        return ""
    from django.utils.formats import number_format

    return _("%(value)s%%") % {"value": number_format(round(float(share) * 100), 0, force_grouping=True)}


@register.simple_tag
def group_separator() -> str:
    """Between items that may hold commas: "; ", in Arabic "؛ " (`lib.text`)."""
    from remis.lib.text import group_separator as separator

    return separator()


@register.simple_tag
def list_separator() -> str:
    """Between the items of a list: ", ", in Arabic "، " (`lib.text`)."""
    from remis.lib.text import list_separator as separator

    return separator()
