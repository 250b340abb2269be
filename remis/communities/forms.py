"""Forms of the community project pages: they parse input; the actions decide what is
acceptable, so the pages and the API refuse the same values with the same words."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from remis.communities.actions import PROJECT_FIELDS
from remis.communities.models import (
    MEMBER_AGES,
    MEMBER_SEXES,
    CommunityProject,
    ProjectStatus,
    ProjectTag,
    ProjectType,
)
from remis.communities.queries import SORTS, ProjectFilters
from remis.lib.countries import country_choices, named_countries
from remis.lib.digits import GroupedIntegerField
from remis.lib.forms import name_other_problems, read_fields
from remis.lib.money import AmountField
from remis.lib.widgets import FastSelect, IsoDateInput, Textarea
from remis.programmes.models import Programme
from remis.services.models import Sector


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _programme_choices(programmes: Iterable[Programme]) -> list[tuple[str, str]]:
    return [(p.code, f"{p.code} — {p.name}") for p in programmes]


def _members_in_range(value: int | None) -> None:
    """The action's range (`actions.MAX_MEMBERS`), checked with the form's other problems:
    "-3" and "99999999999" were told only once "2.5" and "x" were corrected."""
    from django.core.exceptions import ValidationError
    from django.utils.formats import number_format

    from remis.communities.actions import MAX_MEMBERS

    if value is not None and not 0 <= value <= MAX_MEMBERS:
        limit = number_format(MAX_MEMBERS, force_grouping=True)
        raise ValidationError(_("Enter a number from 0 to %(n)s.") % {"n": limit})


class ProjectFilterForm(forms.Form):
    """`programmes`: those offered (`queries.programmes_offered`)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    country = forms.ChoiceField(label=_("Country"), required=False, widget=FastSelect)
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    kind = forms.ChoiceField(label=_("Type"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    tag = forms.ChoiceField(label=_("Contributes to"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(
        self,
        *args: Any,
        programmes: Iterable[Programme] = (),
        countries: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> None:
        """`countries`: those the filter offers (the countries of the projects read)."""
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = _("Name, area or description")
        offered = country_choices() if countries is None else named_countries(set(countries))
        _choices(self, "country").choices = [("", _("Any country")), *offered]
        _choices(self, "programme").choices = [("", _("Any programme")), *_programme_choices(programmes)]
        _choices(self, "kind").choices = [("", _("Any type")), *ProjectType.choices]
        _choices(self, "status").choices = [("", _("Any status")), *ProjectStatus.choices]
        _choices(self, "tag").choices = [("", _("Any framework")), *ProjectTag.choices]
        labels = {
            "-start": _("Most recently started"),
            "start": _("Least recently started"),
            "name": _("Name (A–Z)"),
            "country": _("Country and area"),
        }
        _choices(self, "sort").choices = [(s, labels[s]) for s in SORTS]

    def filters(self) -> ProjectFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return ProjectFilters(
            q=data.get("q") or "",
            country=data.get("country") or "",
            programme=data.get("programme") or "",
            kind=data.get("kind") or "",
            status=data.get("status") or "",
            tag=data.get("tag") or "",
            sort=data.get("sort") or "-start",
        )


def _textarea() -> Textarea:
    return Textarea(attrs={"rows": 4})


def member_field_name(sex: str, age: str) -> str:
    return f"members_{sex}_{age}"


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=ProjectType.choices)
    sector = forms.ChoiceField(label=_("Sector"))
    programme = forms.ChoiceField(label=_("Programme"))
    country = forms.ChoiceField(label=_("Country"), widget=FastSelect)
    area_1 = forms.CharField(label=_("Region"), required=False, max_length=120)
    area_2 = forms.CharField(label=_("District or town"), required=False, max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=_textarea())
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)
    start_date = forms.DateField(label=_("Start date"), required=False, widget=IsoDateInput)
    end_date = forms.DateField(label=_("End date"), required=False, widget=IsoDateInput)
    budget = AmountField(label=_("Budget"), required=False, max_length=20)
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    tags = forms.MultipleChoiceField(
        label=_("Contributes to"),
        required=False,
        choices=ProjectTag.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    outcomes = forms.CharField(label=_("Outcomes"), required=False, widget=_textarea())
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, programmes: Iterable[Programme] = (), **kwargs: Any) -> None:
        """`programmes`: those offered (`queries.programmes_offered`)."""
        super().__init__(*args, **kwargs)
        _choices(self, "sector").choices = [
            ("", "—"),
            *((s.code, s.label) for s in Sector.objects.filter(active=True)),
        ]
        _choices(self, "programme").choices = [("", "—"), *_programme_choices(programmes)]
        _choices(self, "country").choices = [("", "—"), *country_choices()]
        self.fields["currency"].help_text = _("ISO 4217 code, e.g. EUR, GNF, XOF.")
        for sex, sex_label in MEMBER_SEXES:
            for age, age_label in MEMBER_AGES:
                self.fields[member_field_name(sex, age)] = GroupedIntegerField(
                    label=_("%(sex)s, %(age)s") % {"sex": sex_label, "age": age_label},
                    required=False,
                    validators=[_members_in_range],
                )

    def member_fields(self) -> list[Any]:
        return [self[member_field_name(sex, age)] for sex, _s in MEMBER_SEXES for age, _a in MEMBER_AGES]

    def main_fields(self) -> list[Any]:
        return [f for f in self.visible_fields() if not f.name.startswith("members_")]

    @classmethod
    def editing(cls, project: CommunityProject, programmes: Iterable[Programme] = ()) -> ProjectForm:
        initial: dict[str, Any] = {name: getattr(project, name) for name in PROJECT_FIELDS}
        initial.pop("members")
        initial["sector"] = project.sector.code
        initial["programme"] = project.programme.code
        initial["version"] = project.version
        for sex, _s in MEMBER_SEXES:
            for age, _a in MEMBER_AGES:
                initial[member_field_name(sex, age)] = project.members.get(f"{sex}_{age}") or None
        return cls(initial=initial, programmes=programmes)

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in PROJECT_FIELDS if name != "members"}
        data["sector"] = self.cleaned_data["sector"]
        data["programme"] = self.cleaned_data["programme"]
        data["members"] = {
            f"{sex}_{age}": self.cleaned_data[member_field_name(sex, age)]
            for sex, _s in MEMBER_SEXES
            for age, _a in MEMBER_AGES
            if self.cleaned_data[member_field_name(sex, age)] is not None
        }
        return data

    def name_other_problems(self) -> None:
        """On a refused form, also what the action would refuse among the fields it read
        (`actions.project_problems`), so that one round trip names every error (a member
        count of 2.5 hid an end date before the start, a negative budget, an unknown
        currency)."""
        from remis.communities.actions import project_problems

        read = read_fields(self)
        read["members"] = {
            f"{sex}_{age}": read[member_field_name(sex, age)]
            for sex, _s in MEMBER_SEXES
            for age, _a in MEMBER_AGES
            if read.get(member_field_name(sex, age)) is not None
        }
        name_other_problems(self, read, project_problems)


class ParticipantForm(forms.Form):
    reference = forms.CharField(label=_("Case reference"), max_length=40)
    joined_on = forms.DateField(label=_("Taking part since"), required=False, widget=IsoDateInput)
