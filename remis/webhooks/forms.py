"""The subscription form: what the page lets a user type; the action decides the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from remis.webhooks.actions import DESCRIPTION_MAX
from remis.webhooks.addresses import URL_MAX
from remis.webhooks.catalogue import event_choices


class SubscriptionForm(forms.Form):
    url = forms.CharField(
        label=_("Receiver URL"),
        max_length=URL_MAX,
        help_text=_("An https:// address of the receiving system; REMIS posts signed events to it."),
        widget=forms.URLInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    description = forms.CharField(label=_("Description"), max_length=DESCRIPTION_MAX, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = event_choices()  # type: ignore[attr-defined]  # in the reader's language


class VersionForm(forms.Form):
    """Pause, resume, rotate and delete post only the version the user read."""

    version = forms.IntegerField(widget=forms.HiddenInput)
