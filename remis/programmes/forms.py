"""The programme pages' forms: they parse input; the actions decide what is acceptable (the
settings through programme_settings.clean_settings), so the pages and the API refuse the
same values with the same words, naming the same fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from remis.accounts.models import Organisation
from remis.accounts.permissions import SensitiveGroup
from remis.lib.countries import country_choices, named_countries
from remis.lib.forms import RowsChoiceField
from remis.lib.money import AmountField
from remis.lib.widgets import FastSelect, IsoDateInput
from remis.programmes.models import (
    ConfigurationItem,
    MigrantCategory,
    PartnerRole,
    Programme,
    ProgrammePartner,
    ProgrammeSettings,
)
from remis.programmes.programme_settings import SETTINGS, clean_settings
from remis.programmes.queries import (
    MANAGING_ROLES,
    donor_organisations,
    latest_settings_id,
    managing_organisations,
    partner_organisations,
)


class SettingsForm(forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), widget=IsoDateInput)
    submission_response_days = forms.CharField(
        label=SETTINGS["submission_response_days"].label, max_length=10
    )
    currency = forms.CharField(label=SETTINGS["currency"].label, max_length=10)
    # Read as the reader writes amounts ("1 500,50" in French), shown back so (lib/money).
    grant_per_person = AmountField(label=SETTINGS["grant_per_person"].label, max_length=20)
    grant_per_family = AmountField(label=SETTINGS["grant_per_family"].label, max_length=20)
    small_cell_threshold = forms.CharField(label=SETTINGS["small_cell_threshold"].label, max_length=10)
    retention_years = forms.CharField(label=SETTINGS["retention_years"].label, max_length=10)
    note = forms.CharField(label=_("Note (why it changes)"), max_length=500, required=False)
    # The version the form was filled from (empty: the shipped defaults), to tell what the
    # person changed from what they saw.
    started_from = forms.CharField(required=False, widget=forms.HiddenInput)
    # The newest version the page listed: one recorded by someone else since is said first.
    seen_latest = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)

    @classmethod
    def starting_from(cls, current: ProgrammeSettings, **kwargs: Any) -> SettingsForm:
        """A blank form holding the settings in force, to edit from."""
        initial: dict[str, Any] = {name: getattr(current, name) for name in SETTINGS}
        initial["started_from"] = current.pk or ""
        initial["seen_latest"] = latest_settings_id(current.programme) if current.programme_id else 0
        return cls(initial=initial, **kwargs)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in SETTINGS}

    def changed_values(self, seen: Mapping[str, Any]) -> dict[str, Any]:
        """The settings changed from those the form showed (`seen`); those left as shown
        keep, in the new version, what is in force on its day. Sent whole, a version for a
        later day wrote today's values over the ones scheduled in between (a grant per
        family of 2,500 from January went back to 0 with a version of 2030 changing
        another grant). A value the settings refuse is sent, to be named."""
        values = self.values()
        cleaned, _problems = clean_settings(values)
        return {
            name: value
            for name, value in values.items()
            if name not in cleaned or cleaned[name] != seen[name]
        }


class CountriesSelect(FastSelect):
    """A multiple choice among every country, built in Python (see FastSelect)."""

    allow_multiple_selected = True
    value_from_datadict = forms.SelectMultiple.value_from_datadict
    value_omitted_from_data = forms.SelectMultiple.value_omitted_from_data

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"multiple": True, "size": 8, **(attrs or {})})


def _countries_field(label: Any, help_text: Any = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        help_text=help_text or _("Hold Ctrl (or Cmd) to choose several."),
        choices=country_choices,
        widget=CountriesSelect,
        required=False,
    )


class ProgrammeForm(forms.Form):
    """Creating (with `code`, `organisation`, `partner_role`) or editing a programme; the
    action checks what the domain refuses, naming the same fields."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=32,
        help_text=_("Letters, digits, dashes and underscores; it never changes."),
        # Django's own words name a "slug", which nobody here calls it.
        error_messages={"invalid": _("Use only letters a–z, digits, dashes and underscores, no spaces.")},
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    funders = RowsChoiceField(
        label=_("Funder organisations"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    funder = forms.CharField(
        label=_("Funder as written"),
        max_length=200,
        required=False,
        help_text=_("Shown when no funder organisation is chosen."),
    )
    host_countries = _countries_field(_("Host countries"))
    origin_countries = _countries_field(_("Countries of origin"))
    starts_on = forms.DateField(label=_("Start"), widget=IsoDateInput)
    ends_on = forms.DateField(label=_("End"), widget=IsoDateInput, required=False)
    eligible_categories = forms.MultipleChoiceField(
        label=_("Eligible migrant categories"), widget=forms.CheckboxSelectMultiple, required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation running it"), queryset=Organisation.objects.none(), empty_label=None
    )
    partner_role = forms.ChoiceField(
        label=_("Its role in the programme"),
        # The roles that manage a programme: the organisation running it must hold one.
        choices=[(role.value, role.label) for role in MANAGING_ROLES],
        initial=PartnerRole.IMPLEMENTING,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, actor: Any, programme: Programme | None = None, **kwargs: Any) -> None:
        if programme is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": programme.name,
                "funder": programme.funder,
                "funders": list(programme.funders.all()),
                "host_countries": programme.host_countries,
                "origin_countries": programme.origin_countries,
                "starts_on": programme.starts_on,
                "ends_on": programme.ends_on,
                "eligible_categories": list(programme.eligible_categories.values_list("code", flat=True)),
                "version": programme.version,
            }
        super().__init__(*args, **kwargs)
        funders = cast(forms.ModelMultipleChoiceField, self.fields["funders"])
        funders.queryset = donor_organisations()
        categories = cast(forms.MultipleChoiceField, self.fields["eligible_categories"])
        # The active categories, and those the programme names already though retired since:
        # left out, an untouched save dropped them from the programme.
        kept = Q(pk__in=programme.eligible_categories.all()) if programme is not None else Q(pk__in=[])
        categories.choices = [
            (c.code, c.label if c.active else _("%(label)s (retired)") % {"label": c.label})
            for c in MigrantCategory.objects.filter(Q(active=True) | kept)
        ]
        if programme is None:
            del self.fields["version"]
            runner = cast(forms.ModelChoiceField, self.fields["organisation"])
            runner.queryset = managing_organisations(actor)
            if getattr(actor, "is_superuser", False):
                runner.queryset = partner_organisations()
        else:
            for name in ("code", "organisation", "partner_role"):
                del self.fields[name]

    def values(self) -> dict[str, Any]:
        """The action's keyword arguments."""
        data = self.cleaned_data
        values = {
            name: data[name]
            for name in (
                "name",
                "funder",
                "funders",
                "host_countries",
                "origin_countries",
                "starts_on",
                "ends_on",
                "eligible_categories",
            )
        }
        for name in ("code", "organisation", "partner_role"):
            if name in self.fields:
                values[name] = data[name]
        return values


class PartnerForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), empty_label="—"
    )
    # No role chosen for the user: the form started on the most powerful one (host-country
    # coordinator), and a partner added with it untouched could only be removed and added again.
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *PartnerRole.choices])
    countries = _countries_field(
        _("Countries it acts for"),
        _("Among the programme's countries for that role. Hold Ctrl (or Cmd) to choose several."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"version": programme.version})
        super().__init__(*args, **kwargs)
        organisation = cast(forms.ModelChoiceField, self.fields["organisation"])
        organisation.queryset = partner_organisations()
        countries = cast(forms.MultipleChoiceField, self.fields["countries"])
        # Only the programme's own countries are offered (the action checks them by role).
        codes = {*programme.host_countries, *programme.origin_countries}
        if codes:
            countries.choices = named_countries(codes)


class PartnerCountriesForm(forms.Form):
    countries = _countries_field(_("Countries it acts for"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, partner: ProgrammePartner, **kwargs: Any) -> None:
        programme = partner.programme
        kwargs.setdefault("initial", {"countries": partner.countries, "version": programme.version})
        super().__init__(*args, **kwargs)
        countries = cast(forms.MultipleChoiceField, self.fields["countries"])
        codes = {*programme.host_countries, *programme.origin_countries, *partner.countries}
        if codes:
            countries.choices = named_countries(codes)


def _sensitive_choices() -> list[tuple[str, Any]]:
    return [("", _("None")), *((g.value, g.label) for g in SensitiveGroup)]


class ConfigurationItemForm(forms.Form):
    """A migrant category or vulnerability: English name and its French and Arabic names."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_("Letters, digits, dashes and underscores; it never changes."),
        error_messages={"invalid": _("Use only letters a–z, digits, dashes and underscores, no spaces.")},
    )
    name = forms.CharField(label=_("Name in English"), max_length=120)
    name_fr = forms.CharField(label=_("Name in French"), max_length=120, required=False)
    name_ar = forms.CharField(
        label=_("Name in Arabic"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )
    sensitive_group = forms.ChoiceField(
        label=_("Sensitive group"),
        choices=_sensitive_choices,
        required=False,
        help_text=_("Cases show it only to roles holding that group's permission."),
    )

    # The item as this form read it (actions.item_read): an edit made meanwhile is a conflict.
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, item: ConfigurationItem | None = None, **kwargs: Any) -> None:
        from remis.programmes.actions.configuration import item_read

        if item is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": item.name,
                "name_fr": (item.names or {}).get("fr", ""),
                "name_ar": (item.names or {}).get("ar", ""),
                "sensitive_group": item.sensitive_group,
                "version": item_read(item),
            }
        super().__init__(*args, **kwargs)
        self.fields["name_fr"].widget.attrs["lang"] = "fr"
        if item is not None:
            del self.fields["code"]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "names": {"fr": data["name_fr"], "ar": data["name_ar"]},
            "sensitive_group": data["sensitive_group"] or "",
        }
