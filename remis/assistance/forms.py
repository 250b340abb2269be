"""Plan forms: they parse input; the actions decide what is acceptable (amounts, currencies,
transitions), so the pages and the API refuse the same values with the same words."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from remis.assistance.actions import ItemData
from remis.assistance.actions.payments import REASON as VOID_REASON
from remis.assistance.models import AssistanceType, Dimension, Level, Modality, Route
from remis.lib.forms import DayRangeForm
from remis.lib.money import AmountField
from remis.lib.widgets import IsoDateInput, Textarea


class Versioned(forms.Form):
    """Carries the plan version the page was read at, for the optimistic lock."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class NeedForm(Versioned):
    dimension = forms.ChoiceField(label=_("Dimension"), choices=Dimension.choices)
    description = forms.CharField(label=_("Need"), max_length=500)


class GoalForm(Versioned):
    need = forms.TypedChoiceField(
        label=_("For the need"),
        coerce=int,
        # Removed by someone else since the page was read: Django said "Select a valid
        # choice. 4744 is not one of the available choices." and showed the first need.
        error_messages={
            "invalid_choice": _("This need was removed since you opened the page: choose another.")
        },
    )
    description = forms.CharField(label=_("Goal"), max_length=500)

    def __init__(self, *args: Any, needs: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["need"]).choices = [(n.pk, shown_words(n)) for n in needs]


class ItemForm(Versioned):
    goal = forms.TypedChoiceField(
        label=_("For the goal"),
        coerce=int,
        error_messages={
            "invalid_choice": _("This goal was removed since you opened the page: choose another.")
        },
    )
    kind = forms.ChoiceField(label=_("Type"))
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    modality = forms.ChoiceField(label=_("Modality"), choices=Modality.choices)
    route = forms.ChoiceField(label=pgettext_lazy("assistance delivery", "Route"), choices=Route.choices)
    amount = AmountField(label=_("Budget"), max_length=20)
    currency = forms.CharField(label=_("Currency (ISO 4217)"), max_length=10)
    starts_on = forms.DateField(label=_("Planned start"), widget=IsoDateInput, required=False)
    ends_on = forms.DateField(label=_("Planned end"), widget=IsoDateInput, required=False)

    def __init__(
        self,
        *args: Any,
        goals: list[Any],
        proposed: list[AssistanceType],
        types: list[AssistanceType],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["goal"]).choices = [(g.pk, shown_words(g)) for g in goals]
        first = [(t.code, t.label) for t in proposed]
        rest = [(t.code, t.label) for t in types if t not in proposed]
        cast(forms.ChoiceField, self.fields["kind"]).choices = (
            [(_("Proposed for this case"), first), (_("Other types"), rest)] if first else rest
        )

    def data_for_action(self) -> ItemData:
        values = self.cleaned_data
        return ItemData(
            kind=values["kind"],
            modality=values["modality"],
            amount=values["amount"],
            currency=values["currency"],
            level=values["level"],
            route=values["route"],
            description=values["description"],
            starts_on=values["starts_on"],
            ends_on=values["ends_on"],
        )


class AgreementForm(Versioned):
    agreed_on = forms.DateField(label=_("The returnee agreed on"), widget=IsoDateInput)
    agreement_file = forms.FileField(label=_("Signed agreement form (PDF, JPEG or PNG)"))


class DecisionForm(Versioned):
    comment = forms.CharField(
        label=_("Comment"), max_length=1000, required=False, widget=Textarea(attrs={"rows": 2})
    )


class NewVersionForm(forms.Form):
    reason = forms.CharField(label=_("What changes, and why"), max_length=500)


class ItemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    # The item as the page showed it: a payment or a status recorded since is refused.
    seen_status = forms.CharField(widget=forms.HiddenInput, required=False)
    seen_paid = forms.DecimalField(widget=forms.HiddenInput, required=False)
    # Named as the action names it, so that its refusal lands on the field.
    cancel_reason = forms.CharField(label=_("Reason for cancelling"), max_length=500, required=False)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Nothing is chosen until the reader chooses: a form sent untouched must not move the item.
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", "—"), *choices]


class InstalmentsDueFilterForm(forms.Form):
    """The instalments due list's filters: the cases the reader follows (as their home
    page's card lists them), a reference's start."""

    reference = forms.CharField(label=_("Case reference"), required=False, max_length=40)
    mine = forms.BooleanField(label=_("Only the cases I follow"), required=False)


class InstalmentForm(forms.Form):
    # New for each drawing of the form (see Instalment.form_key).
    form_key = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)
    # What was paid when the form was drawn (actions.record_instalment's `seen_paid`).
    seen_paid = forms.DecimalField(widget=forms.HiddenInput, required=False)
    paid_on = forms.DateField(label=_("Paid on"), widget=IsoDateInput)
    amount = AmountField(label=_("Amount"), max_length=20)
    currency = forms.CharField(label=_("Currency (ISO 4217)"), max_length=10)
    receipt = forms.FileField(label=_("Receipt (PDF, JPEG or PNG)"), required=False)


class VoidInstalmentForm(forms.Form):
    """Voiding one recorded payment (actions.void_instalment): the reason is required there."""

    instalment = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why is this payment voided?"),
        max_length=VOID_REASON.max_length,  # the action's rule
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: amount entered wrongly, paid for another item, never paid."),
    )


class RateForm(forms.Form):
    month = forms.DateField(label=_("Month (any day in it)"), widget=IsoDateInput)
    currency = forms.CharField(label=_("Currency"), max_length=10)
    to_currency = forms.CharField(label=_("Reporting currency"), max_length=10)
    # Read as the reader writes numbers ("0,92", "٠٫٩٢"), as the list below shows rates (only
    # "0.92" was read, and every plan needing the rate waited), and refused where it reads two
    # ways ("10.000" in French was saved as 10): the money field's reading.
    rate = AmountField(label=_("Value of one unit in the reporting currency"), max_length=30)
    # The month's rate this one replaces, once the page has shown it ("" for none): filled
    # in when the month turns out to have one, so that sending again confirms the correction.
    replaces = forms.DecimalField(widget=forms.HiddenInput, required=False)


class ThresholdsForm(forms.Form):
    """A new version of a programme's approval thresholds (set_approval_thresholds)."""

    effective_from = forms.DateField(label=_("In force from"), widget=IsoDateInput)
    country = forms.ChoiceField(label=_("Country of origin"), required=False)
    manager_above = AmountField(label=_("A programme manager approves above"))
    two_above = AmountField(label=_("Two approvers above"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(
        self,
        *args: Any,
        countries: list[tuple[str, str]] = [],  # noqa: B006
        every: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        country = cast(forms.ChoiceField, self.fields["country"])
        country.choices = [("", _("All the programme's countries")), *countries] if every else countries
        country.required = not every


class ProposalRulesForm(forms.Form):
    """A new version of the types a programme's plans propose first (set_proposal_rules):
    for every case, and for each confirmed vulnerability."""

    effective_from = forms.DateField(label=_("In force from"), widget=IsoDateInput)
    always = forms.MultipleChoiceField(
        label=_("Proposed for every case"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        types: list[tuple[str, str]] = [],  # noqa: B006
        vulnerabilities: list[tuple[str, str]] = [],  # noqa: B006
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["always"]).choices = types
        self.vulnerability_fields = []
        for code, label in vulnerabilities:
            name = f"v_{code}"
            self.fields[name] = forms.MultipleChoiceField(
                label=label, required=False, choices=types, widget=forms.CheckboxSelectMultiple
            )
            self.vulnerability_fields.append((code, name))

    def by_vulnerability(self) -> dict[str, list[str]]:
        data = self.cleaned_data
        return {code: list(data[name]) for code, name in self.vulnerability_fields if data.get(name)}


class BudgetFilterForm(DayRangeForm):
    """The budgets page's filters (GET): a programme, and the days whose payments count as
    disbursed (a quarter's, a year's); planned and approved are the plans as they stand."""

    day_range = ("paid_from", "paid_to")

    programme = forms.TypedChoiceField(label=_("Programme"), required=False, coerce=int, empty_value=None)
    paid_from = forms.DateField(label=_("Paid from"), required=False, widget=IsoDateInput())
    paid_to = forms.DateField(label=_("Paid until"), required=False, widget=IsoDateInput())

    def __init__(self, *args: Any, programmes: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["programme"])
        field.choices = [("", _("All programmes you see")), *programmes]


def shown_words(need_or_goal: Any) -> str:
    """A need's or goal's words as a choice, "Restricted" when they are in a group withheld
    from the reader (`queries.mask_needs`)."""
    return str(_("Restricted")) if getattr(need_or_goal, "restricted", False) else need_or_goal.description
