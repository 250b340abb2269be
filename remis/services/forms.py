"""Forms of the service map pages: they parse input; the actions decide what is acceptable,
so the pages and the API refuse the same values with the same words."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from remis.accounts.models import Organisation, OrganisationType
from remis.lib.countries import country_choices, country_name, named_countries
from remis.lib.forms import name_other_problems, read_fields
from remis.lib.widgets import FastSelect, IsoDateInput, Textarea
from remis.services.actions import PROVIDER_FIELDS, STAKEHOLDER_FIELDS
from remis.services.models import (
    PartnershipStatus,
    Provider,
    ProviderKind,
    Sector,
    Stakeholder,
    StakeholderKind,
)
from remis.services.queries import SORTS, STATUSES, ProviderFilters, StakeholderFilters


def _countries(blank: str | None, among: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """Every country (a record's own field), or those `among` (a list's filter: the
    countries something is mapped in), by name."""
    rows = list(country_choices()) if among is None else named_countries(set(among))
    return [("", blank), *rows] if blank is not None else [("", "—"), *rows]


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _sector_choices() -> list[tuple[str, str]]:
    return [(s.code, s.label) for s in Sector.objects.filter(active=True)]


class ProviderFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False, widget=FastSelect)
    area = forms.CharField(label=_("Area"), required=False, max_length=120)
    language = forms.CharField(label=_("Language"), required=False, max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(self, *args: Any, countries: Iterable[str] | None = None, **kwargs: Any) -> None:
        """`countries`: those the filter offers (the countries providers are mapped in)."""
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = _("Name, area, services, eligibility or language")
        _choice_field(self, "sector").choices = [("", _("Any sector")), *_sector_choices()]
        _choice_field(self, "country").choices = _countries(str(_("Any country")), countries)
        _choice_field(self, "kind").choices = [("", _("Any kind")), *ProviderKind.choices]
        labels = {"active": _("Active"), "inactive": _("Inactive"), "all": _("Active and inactive")}
        _choice_field(self, "status").choices = [(s, labels[s]) for s in STATUSES]
        sort_labels = {
            "name": _("Name (A–Z)"),
            "-name": _("Name (Z–A)"),
            "country": _("Country and area"),
            "-verified": _("Most recently verified"),
            "verified": _("Least recently verified"),
        }
        _choice_field(self, "sort").choices = [(s, sort_labels[s]) for s in SORTS]

    def filters(self) -> ProviderFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return ProviderFilters(
            q=data.get("q") or "",
            sector=data.get("sector") or "",
            country=data.get("country") or "",
            area=data.get("area") or "",
            language=data.get("language") or "",
            kind=data.get("kind") or "",
            status=data.get("status") or "active",
            sort=data.get("sort") or "name",
        )


class StakeholderFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    country = forms.ChoiceField(label=_("Country"), required=False, widget=FastSelect)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Partnership status"), required=False)

    def __init__(self, *args: Any, countries: Iterable[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = _("Name, capacity, interest or notes")
        _choice_field(self, "country").choices = _countries(str(_("Any country")), countries)
        _choice_field(self, "kind").choices = [("", _("Any kind")), *StakeholderKind.choices]
        _choice_field(self, "status").choices = [("", _("Any status")), *PartnershipStatus.choices]

    def filters(self) -> StakeholderFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return StakeholderFilters(
            q=data.get("q") or "",
            country=data.get("country") or "",
            kind=data.get("kind") or "",
            status=data.get("status") or "",
        )


def _textarea() -> Textarea:
    return Textarea(attrs={"rows": 3})


class _OrganisationField(forms.ModelChoiceField):
    """Each organisation with its country: only one in the provider's country is accepted."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {country_name(obj.country)}" if obj.country else str(obj.name)


class ProviderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    # No kind chosen for the user: an untouched form saved every provider as "Government".
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *ProviderKind.choices])
    sectors = forms.MultipleChoiceField(label=_("Sectors"), widget=forms.CheckboxSelectMultiple)
    services = forms.CharField(label=_("Services offered"), required=False, widget=_textarea())
    country = forms.ChoiceField(label=_("Country"), widget=FastSelect)
    area_1 = forms.CharField(label=_("Region"), required=False, max_length=120)
    area_2 = forms.CharField(label=_("District or town"), required=False, max_length=120)
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    latitude = forms.CharField(label=_("Latitude"), required=False, max_length=20)
    longitude = forms.CharField(label=_("Longitude"), required=False, max_length=20)
    eligibility = forms.CharField(
        label=_("Eligibility and intake criteria"), required=False, widget=_textarea()
    )
    documents_required = forms.CharField(label=_("Documents required"), required=False, widget=_textarea())
    cost = forms.CharField(label=_("Cost"), required=False, max_length=300)
    distance = forms.CharField(label=_("Distance and transport"), required=False, max_length=300)
    safety = forms.CharField(label=_("Safety"), required=False, max_length=300)
    capacity = forms.CharField(label=_("Capacity"), required=False, max_length=200)
    languages = forms.CharField(label=_("Languages"), required=False, max_length=200)
    contact_person = forms.CharField(label=_("Contact person"), required=False, max_length=200)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "tel", "dir": "ltr"}),  # a number reads left to right
    )
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    opening_hours = forms.CharField(label=_("Opening hours"), required=False, max_length=300)
    last_verified_on = forms.DateField(label=_("Last verified"), required=False, widget=IsoDateInput)
    organisation = _OrganisationField(
        label=_("Organisation in REMIS"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="—",
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "sectors").choices = _sector_choices()
        _choice_field(self, "country").choices = _countries(None)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = Organisation.objects.filter(
            kind=OrganisationType.SERVICE_PROVIDER, active=True
        ).order_by("name")
        self.fields["organisation"].help_text = _(
            "Only for a provider whose staff have accounts: they answer its referrals."
        )
        self.fields["latitude"].help_text = _("Decimal degrees, e.g. 9.5092; leave both empty if unknown.")
        self.fields["languages"].help_text = _("The languages spoken with clients, e.g. French, Pular, Susu.")

    @classmethod
    def editing(cls, provider: Provider) -> ProviderForm:
        initial = {name: getattr(provider, name) for name in PROVIDER_FIELDS}
        initial["sectors"] = list(provider.sectors.values_list("code", flat=True))
        initial["organisation"] = provider.organisation_id
        initial["version"] = provider.version
        return cls(initial=initial)

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in PROVIDER_FIELDS}
        data["sectors"] = self.cleaned_data["sectors"]
        organisation = self.cleaned_data["organisation"]
        data["organisation"] = organisation.pk if organisation else None
        return data

    def name_other_problems(self) -> None:
        """On a refused form, also what the action would refuse among the fields it read
        (`actions.provider_problems`), so that one round trip names every error."""
        from remis.services.actions import provider_problems

        read = read_fields(self)
        if "organisation" in read:
            read["organisation"] = read["organisation"].pk if read["organisation"] else None
        name_other_problems(self, read, provider_problems)


class QualityForm(forms.Form):
    # New for each drawing of the form (see QualityAssessment.form_key).
    form_key = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)
    assessed_on = forms.DateField(label=_("Date of the assessment"), widget=IsoDateInput)
    score = forms.TypedChoiceField(
        label=_("Score"),
        coerce=int,
        # No score is chosen until the assessor chooses one: a form sent untouched must not
        # rate the provider excellent.
        choices=[
            ("", "—"),
            (5, _("5 — excellent")),
            (4, _("4 — good")),
            (3, _("3 — adequate")),
            (2, _("2 — poor")),
            (1, _("1 — very poor")),
        ],
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=_textarea())


class StakeholderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    # No kind chosen for the user, as for providers: an untouched form saved "Government".
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *StakeholderKind.choices])
    country = forms.ChoiceField(label=_("Country"), widget=FastSelect)
    capacity = forms.CharField(label=_("Capacity"), required=False, widget=_textarea())
    interest = forms.CharField(label=_("Interest"), required=False, widget=_textarea())
    partnership_status = forms.ChoiceField(label=_("Partnership status"), choices=PartnershipStatus.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=_textarea())
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "country").choices = _countries(None)

    @classmethod
    def editing(cls, stakeholder: Stakeholder) -> StakeholderForm:
        initial = {name: getattr(stakeholder, name) for name in STAKEHOLDER_FIELDS}
        initial["version"] = stakeholder.version
        return cls(initial=initial)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in STAKEHOLDER_FIELDS}
