"""A refused form names every error in one round trip: what the form itself refused, and what
the action would refuse among the fields the form did read (a missing country hid an
impossible latitude until the next try). The actions' checks stay the only rules; a form
only asks them without writing (`services.actions.provider_problems`,
`communities.actions.project_problems`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _

from remis.lib.errors import Conflict, DomainError
from remis.lib.fields import Rule, check_values
from remis.lib.posted import ascii_digits
from remis.lib.text import list_separator


def mark_conflict(form: forms.Form, error: DomainError) -> None:
    """A conflict marks the form (`conflicted`): its message then links the page as it is
    now (`includes/form_errors.html`), since reloading the answer to a POST sends the stale
    form again."""
    if isinstance(error, Conflict):
        form.conflicted = True  # type: ignore[attr-defined]


def show_refusal(form: forms.Form, error: DomainError, *, above: Collection[str] = ()) -> None:
    """An action's refusal on the form: each message beside the input it names, else above
    the form: a hidden input (the version a conflict names) or one of `above` has no place
    a reader would see, and shown beside it would read "version: …"."""
    mark_conflict(form, error)
    for field, message in error.errors:
        name = (field or "").split("[")[0]
        shown = name in form.fields and name not in above and not form.fields[name].widget.is_hidden
        form.add_error(name if shown else None, message)


def read_fields(form: forms.Form) -> dict[str, Any]:
    """The values of a refused form's fields that it read without an error."""
    return {name: value for name, value in form.cleaned_data.items() if name not in form.errors}


def name_other_problems(
    form: forms.Form,
    read: dict[str, Any],
    problems: Callable[[dict[str, Any]], Iterable[tuple[str | None, str]]],
) -> None:
    """Add `problems(read)` on the fields the form read (a refused field keeps its own message)."""
    for field, message in problems(read):
        if field in read and field in form.fields:
            form.add_error(field, message)


class RuleCheckedForm(forms.Form):
    """A form whose fields carry the action's field rules (`value_rules`: length, syntax,
    plausible dates and years) checks every value it read against them, whatever else it
    refused: a wrong phone number was named only once the missing sex was given."""

    value_rules: ClassVar[tuple[Mapping[str, Rule], ...]] = ()

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return
        read = read_fields(self)
        today = timezone.localdate()
        for rules in self.value_rules:
            for field, message in check_values(rules, read, today):
                if field in self.fields and field not in self.errors:
                    self.add_error(field, message)


class DayRangeForm(forms.Form):
    """A form with a first and a last day (`day_range`: their field names): a last day
    before the first is refused on the last one's field."""

    day_range: ClassVar[tuple[str, str]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first_name, last_name = self.day_range
        first, last = data.get(first_name), data.get(last_name)
        if first and last and last < first:
            self.add_error(last_name, _("The last day comes before the first."))
        return data


class RowsChoiceField(forms.ModelMultipleChoiceField):
    """Rows chosen by id (vulnerabilities, funders, workers): an id sent by hand that no
    database integer holds (thirty digits) is "not a valid value", where the database's
    overflow was a server error (Django catches a value it cannot read, not one too large)."""

    def _check_values(self, value: Any) -> Any:
        if (self.to_field_name or "pk") == "pk":
            for pk in value or ():
                if not ascii_digits(str(pk)):
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)  # type: ignore[misc]  # Django's own, not in its stubs


def typed_list(typed: list[tuple[str, str]]) -> str:
    """What a person typed, field by field, as a refusal quotes it: Budget “450”, Description —."""
    return list_separator().join(f"{label} “{value}”" if value else f"{label} —" for label, value in typed)


def with_typing(message: str, typed: list[tuple[str, str]]) -> str:
    """A refusal whose form is gone from the page, followed by what the person typed."""
    if not typed:
        return message
    return str(_("%(refusal)s What you typed: %(typed)s.") % {"refusal": message, "typed": typed_list(typed)})


def refusal_with_typing(message: str, form: forms.Form) -> str:
    """`with_typing` with a form's text fields that were filled in."""
    typed = [
        (str(field.label), value)
        for name, field in form.fields.items()
        if isinstance(field, forms.CharField)
        and not field.widget.is_hidden
        and (value := str(form.data.get(name, "")).strip())
    ]
    return with_typing(message, typed)
