"""The settings form: parses input; the action (programme_settings.clean_settings) decides
what is acceptable, so the page and the API refuse the same values with the same words."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from remis.lib.widgets import IsoDateInput
from remis.programmes.models import ProgrammeSettings
from remis.programmes.programme_settings import SETTINGS


class SettingsForm(forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), widget=IsoDateInput)
    submission_response_days = forms.CharField(
        label=SETTINGS["submission_response_days"].label, max_length=10
    )
    currency = forms.CharField(label=SETTINGS["currency"].label, max_length=10)
    grant_per_person = forms.CharField(label=SETTINGS["grant_per_person"].label, max_length=20)
    grant_per_family = forms.CharField(label=SETTINGS["grant_per_family"].label, max_length=20)
    small_cell_threshold = forms.CharField(label=SETTINGS["small_cell_threshold"].label, max_length=10)
    note = forms.CharField(label=_("Note (why it changes)"), max_length=500, required=False)

    @classmethod
    def starting_from(cls, current: ProgrammeSettings, **kwargs: Any) -> SettingsForm:
        """A blank form holding the settings in force, to edit from."""
        return cls(initial={name: getattr(current, name) for name in SETTINGS}, **kwargs)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in SETTINGS}
