"""Forms for the case pages: they parse and reject malformed input; actions decide the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from remis.accounts.models import Organisation, User
from remis.cases.lifecycle import ClosureReason, Stage
from remis.cases.models import (
    ConsentPurpose,
    CounsellingMode,
    DocumentKind,
    Escort,
    Fitness,
    NeedKind,
    Relation,
    Sex,
)
from remis.cases.queries import SORTS
from remis.lib.countries import country_choices, named_countries
from remis.lib.widgets import FastSelect
from remis.programmes.models import MigrantCategory, Programme, Vulnerability
from remis.programmes.queries import programme_countries


class DateInput(forms.DateInput):
    input_type = "date"


def _countries(blank: str = "—") -> list[tuple[str, str]]:
    return [("", blank), *country_choices()]


class PersonForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=120)
    family_name = forms.CharField(label=_("Family name"), max_length=120)
    alternate_names = forms.CharField(
        label=_("Alternate spellings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, as met on documents or in transliteration."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput)
    birth_year_estimated = forms.IntegerField(
        label=_("Estimated year of birth"), required=False, help_text=_("When the exact date is unknown.")
    )
    nationality = forms.ChoiceField(
        label=_("Nationality"), choices=_countries, required=False, widget=FastSelect
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    address = forms.CharField(
        label=_("Address in the country of origin"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_date_of_birth(self) -> Any:
        born = self.cleaned_data.get("date_of_birth")
        if born and born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth is in the future."))
        return born


class IdentityDocumentForm(forms.Form):
    document_kind = forms.ChoiceField(
        label=_("Identity document"), choices=[("", "—"), *DocumentKind.choices], required=False
    )
    document_number = forms.CharField(label=_("Document number"), max_length=64, required=False)
    document_country = forms.ChoiceField(
        label=_("Issuing country"), choices=_countries, required=False, widget=FastSelect
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("document_kind") and not data.get("document_number"):
            self.add_error("document_number", _("Enter the document number."))
        if data.get("document_number") and not data.get("document_kind"):
            self.add_error("document_kind", _("Choose the document type."))
        return data


class RegisterCaseForm(PersonForm, IdentityDocumentForm):
    organisation = forms.ModelChoiceField(
        label=_("Registering organisation"), queryset=Organisation.objects.none()
    )
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.filter(active=True))
    category = forms.ModelChoiceField(
        label=_("Migrant category"), queryset=MigrantCategory.objects.filter(active=True)
    )
    host_country = forms.ChoiceField(label=_("Host country"), choices=_countries, widget=FastSelect)
    origin_country = forms.ChoiceField(label=_("Country of origin"), choices=_countries, widget=FastSelect)
    vulnerabilities = forms.ModelMultipleChoiceField(
        label=_("Vulnerabilities"),
        queryset=Vulnerability.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    intended_return_date = forms.DateField(label=_("Intended return date"), required=False, widget=DateInput)

    field_order = ["organisation", "programme", "category", "host_country", "origin_country"]

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations if organisations is not None else Organisation.objects.none()
        if organisations is not None and organisations.count() == 1:
            field.initial = organisations.first()


class PostArrivalCaseForm(RegisterCaseForm):
    arrival_date = forms.DateField(label=_("Arrival date"), widget=DateInput)
    intended_return_date = None  # type: ignore[assignment]

    def clean_arrival_date(self) -> Any:
        arrival = self.cleaned_data.get("arrival_date")
        if arrival and arrival > timezone.localdate():
            raise forms.ValidationError(_("The arrival date is in the future."))
        return arrival


class CaseFilterForm(forms.Form):
    """The case list's search, filters and sort. Sent by POST so the name searched for
    never lands in a URL or an access log."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Name, reference or document number")}),
    )
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[("", _("All stages")), *Stage.choices], required=False, widget=FastSelect
    )
    category = forms.ChoiceField(label=_("Category"), required=False, widget=FastSelect)
    host_country = forms.ChoiceField(
        label=_("Host country"), choices=lambda: _countries(str(_("All"))), required=False, widget=FastSelect
    )
    origin_country = forms.ChoiceField(
        label=_("Country of origin"),
        choices=lambda: _countries(str(_("All"))),
        required=False,
        widget=FastSelect,
    )
    organisation = forms.ModelChoiceField(
        widget=FastSelect,
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        required=False,
        empty_label=_("All"),
    )
    worker = forms.ModelChoiceField(
        widget=FastSelect,
        label=_("Case worker"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Anyone"),
    )
    arrived_from = forms.DateField(label=_("Arrived from"), required=False, widget=DateInput)
    arrived_to = forms.DateField(label=_("Arrived until"), required=False, widget=DateInput)
    sort = forms.ChoiceField(
        widget=FastSelect,
        label=_("Sort"),
        required=False,
        choices=[
            ("-registered", _("Newest registration")),
            ("registered", _("Oldest registration")),
            ("-arrival", _("Latest arrival")),
            ("arrival", _("Earliest arrival (not yet arrived first)")),
            ("reference", _("Reference")),
            ("stage", _("Stage")),
        ],
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, workers: Any = None, sensitive: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        # Sensitive categories (victim of trafficking) only for those who may see them.
        categories = (
            MigrantCategory.objects.all() if sensitive else MigrantCategory.objects.filter(sensitive=False)
        )
        category.choices = [("", _("All categories")), *((c.code, c.label) for c in categories)]
        worker = self.fields["worker"]
        assert isinstance(worker, forms.ModelChoiceField)
        if workers is not None:
            worker.queryset = workers
        # Only the countries programmes cover: a short list to choose from, and a fast page.
        hosts, origins = programme_countries()
        for name, codes in (("host_country", hosts), ("origin_country", origins)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("All")), *named_countries(codes)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("arrived_from"), data.get("arrived_to")
        if start and end and end < start:
            self.add_error("arrived_to", _("The end of the arrival range is before its start."))
        if data.get("sort") and data["sort"] not in SORTS:
            self.add_error("sort", _("Unknown sort order."))
        return data


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TransitionForm(VersionedForm):
    stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Comment"), required=False, max_length=500)


class CloseForm(VersionedForm):
    closure_reason = forms.ChoiceField(label=_("Closure reason"), choices=[("", "—"), *ClosureReason.choices])
    note = forms.CharField(label=_("Comment"), required=False, max_length=500)


class ReopenForm(VersionedForm):
    reason = forms.CharField(label=_("Why is the case reopened?"), max_length=500)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    given = forms.TypedChoiceField(
        label=_("Consent"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Given")), ("no", _("Withdrawn or refused"))],
    )
    given_on = forms.DateField(label=_("Date"), widget=DateInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class CounsellingForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DateInput)
    mode = forms.ChoiceField(label=_("Mode"), choices=CounsellingMode.choices)
    interpreter_used = forms.BooleanField(label=_("Interpreter used"), required=False)
    topics = forms.CharField(label=_("Topics"), required=False, max_length=300)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NeedForm(forms.Form):
    kind = forms.ChoiceField(label=_("Need"), choices=NeedKind.choices)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)


class TravelForm(VersionedForm):
    departure_date = forms.DateField(label=_("Departure date"), required=False, widget=DateInput)
    arrival_date = forms.DateField(label=_("Arrival date"), required=False, widget=DateInput)
    route = forms.CharField(label=_("Route"), required=False, max_length=200)
    escort = forms.ChoiceField(label=_("Escort"), choices=Escort.choices)
    medical_fitness = forms.ChoiceField(label=_("Medical fitness to travel"), choices=Fitness.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReceptionForm(VersionedForm):
    received_on = forms.DateField(label=_("Date of reception"), widget=DateInput)
    airport_pickup = forms.BooleanField(label=_("Airport pick-up"), required=False)
    accommodation_nights = forms.IntegerField(
        label=_("Nights of temporary accommodation"), min_value=0, max_value=365, initial=0
    )
    nutrition = forms.BooleanField(label=_("Nutrition"), required=False)
    pocket_money = forms.DecimalField(
        label=_("Pocket money"), min_value=0, max_digits=10, decimal_places=2, initial=0
    )
    pocket_money_currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    onward_transport = forms.BooleanField(label=_("Onward transport"), required=False)
    urgent_medical_care = forms.BooleanField(label=_("Urgent medical care"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SubmitForm(forms.Form):
    to_organisation = forms.ModelChoiceField(
        label=_("Reintegration partner"), queryset=Organisation.objects.none()
    )
    message = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, partners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = partners if partners is not None else Organisation.objects.none()


class RespondForm(forms.Form):
    submission = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(label=_("Reason for rejection"), required=False, max_length=1000)


class CaseDetailsForm(VersionedForm):
    category = forms.ModelChoiceField(
        label=_("Migrant category"), queryset=MigrantCategory.objects.filter(active=True)
    )
    vulnerabilities = forms.ModelMultipleChoiceField(
        label=_("Vulnerabilities"),
        queryset=Vulnerability.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    intended_return_date = forms.DateField(label=_("Intended return date"), required=False, widget=DateInput)
    assigned_workers = forms.ModelMultipleChoiceField(
        label=_("Case workers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, workers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assigned_workers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        if workers is not None:
            field.queryset = workers


class MemberForm(PersonForm):
    relation = forms.ChoiceField(
        label=_("Relation to the principal applicant"),
        choices=[c for c in Relation.choices if c[0] != Relation.PRINCIPAL],
    )


class PersonEditForm(PersonForm, VersionedForm):
    # Which member of the household is edited; empty means the principal applicant.
    person = forms.UUIDField(widget=forms.HiddenInput, required=False)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))


class DocumentRemoveForm(forms.Form):
    document = forms.IntegerField(widget=forms.HiddenInput)
