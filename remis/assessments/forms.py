"""The assessment form, built from the instrument's questions: select-one as radio buttons,
select-multiple as checkboxes, dates with ISO values. Questions of sensitive groups the
reader does not hold are left out (their stored answers are kept by the action)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from remis.assessments.answers import Form
from remis.assessments.models import Question, QuestionType
from remis.cases.policy import Groups, shows
from remis.lib.money import AmountField
from remis.lib.widgets import IsoDateInput, Textarea

PREFIX = "q_"


def _field(question: Question, form: Form) -> forms.Field:
    choices = [(c.code, c.text) for c in form.choices[question.code]]
    label = question.text
    help_text = _("Required to complete the assessment.") if question.required else ""
    common: dict[str, Any] = {"label": label, "required": False, "help_text": help_text}
    if question.kind in (QuestionType.SELECT_ONE, QuestionType.YES_NO):
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if question.kind == QuestionType.SELECT_MULTIPLE:
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if question.kind == QuestionType.DATE:
        return forms.DateField(widget=IsoDateInput, **common)
    if question.kind == QuestionType.TEXT:
        return forms.CharField(widget=Textarea(attrs={"rows": 3}), max_length=2000, **common)
    # Numbers are checked by the action, which names the question and its bounds; the field
    # reads them as the reader's language writes them ("1 200,50" in French).
    return NumberAnswerField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), max_length=20, **common)


class NumberAnswerField(AmountField):
    """A number answer, read as an amount is, shown back with the decimals it has: an age
    of 34 read "34.00" on the edit form, as money."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            number = Decimal(str(value))
            places = max(0, -int(number.as_tuple().exponent))  # "1200.50" keeps its cents
            return number_format(number, places, force_grouping=True)
        return value


_STORED = re.compile(r"-?[0-9]+(\.[0-9]+)?")  # a number answer as stored


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_("Date of the assessment"), widget=IsoDateInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, instrument_form: Form, groups: Groups, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument_form = instrument_form
        self.sections: list[tuple[str, list[str]]] = []
        by_dimension: dict[str, list[str]] = {}
        for question in instrument_form.questions:
            if not shows(groups, question.sensitive_group):
                continue
            name = PREFIX + question.code
            self.fields[name] = _field(question, instrument_form)
            by_dimension.setdefault(question.get_dimension_display(), []).append(name)
            stored = self.initial.get(name)
            if (
                isinstance(self.fields[name], NumberAnswerField)
                and isinstance(stored, str)
                and _STORED.fullmatch(stored)
            ):
                # A decimal answer is kept as its text ("2500.75"): read back as the reader
                # writes numbers, as the assessment's page shows it ("2 500,75" in French).
                self.initial[name] = Decimal(stored)
        self.sections = list(by_dimension.items())

    @staticmethod
    def initial_from(answers: dict[str, Any]) -> dict[str, Any]:
        return {PREFIX + code: value for code, value in answers.items()}

    def answers(self) -> dict[str, Any]:
        """The answers by question code ("" and [] for unanswered)."""
        return {
            name.removeprefix(PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(PREFIX)
        }

    def section_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.sections]

    def add_domain_errors(self, errors: list[tuple[str | None, str]]) -> None:
        for field, message in errors:
            name = (
                PREFIX + field.removeprefix("answers.") if field and field.startswith("answers.") else field
            )
            # A refusal about a hidden field (the version read: a conflict) is about the form.
            shown = name in self.fields and not self.fields[name].widget.is_hidden
            self.add_error(name if shown else None, message)


class ConfirmFlagsForm(forms.Form):
    flags = forms.MultipleChoiceField(
        label=_("Flags to confirm"), widget=forms.CheckboxSelectMultiple, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, choices: list[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["flags"].choices = choices  # type: ignore[attr-defined]
