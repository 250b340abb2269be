"""Forms of the referral pages; the actions decide what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from remis.lib.widgets import IsoDateInput
from remis.referrals.actions import MESSAGE_MAX, REASON_MAX
from remis.referrals.models import Outcome

ANSWER_CHOICES = [
    ("accepted", _("Accept")),
    ("declined", _("Decline")),
    ("in_progress", _("Start")),
    ("completed", _("Complete")),
    ("failed", _("Report failure")),
]


class ReferForm(forms.Form):
    item = forms.IntegerField(label=_("Item"))
    provider = forms.UUIDField(label=_("Provider"))
    message = forms.CharField(
        label=_("Message to the provider"), max_length=MESSAGE_MAX, required=False, widget=forms.Textarea
    )


class AnswerForm(forms.Form):
    # No answer is chosen until the reader chooses one: a form sent untouched must not accept.
    status = forms.ChoiceField(label=_("Answer"), choices=[("", "—"), *ANSWER_CHOICES])
    reason = forms.CharField(label=_("Reason (when declining)"), max_length=REASON_MAX, required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *Outcome.choices], required=False)
    outcome_on = forms.DateField(label=_("Outcome date"), required=False, widget=IsoDateInput())
    note = forms.CharField(label=_("Note"), max_length=REASON_MAX, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=REASON_MAX)
    version = forms.IntegerField(widget=forms.HiddenInput)


class FunnelForm(forms.Form):
    since = forms.DateField(label=_("Sent from"), required=False, widget=IsoDateInput())
    until = forms.DateField(label=_("Sent until"), required=False, widget=IsoDateInput())
    country = forms.CharField(label=_("Country"), max_length=2, required=False)
    provider = forms.UUIDField(label=_("Provider"), required=False)


class RulesForm(forms.Form):
    """A new version of a programme's referral rules (set_referral_rules)."""

    effective_from = forms.DateField(label=_("In force from"), widget=IsoDateInput())
    # Text, not a number field: the action says what is wrong in the same words as the API.
    overdue_days = forms.CharField(label=_("Days before an unanswered referral is overdue"), max_length=5)
