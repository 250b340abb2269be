"""Forms of the referral pages; the actions decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from remis.lib.countries import is_country
from remis.lib.forms import DayRangeForm
from remis.lib.widgets import IsoDateInput, Textarea
from remis.referrals.actions import MESSAGE_MAX, REASON_MAX
from remis.referrals.models import REFERRAL_TRANSITIONS, Outcome, Status

ANSWER_CHOICES = [
    ("accepted", _("Accept")),
    ("declined", _("Decline")),
    ("in_progress", pgettext_lazy("a referral's answer", "Start")),
    ("completed", _("Complete")),
    ("failed", _("Report failure")),
]


class ReferForm(forms.Form):
    item = forms.IntegerField(label=_("Item"))
    provider = forms.UUIDField(label=_("Provider"))
    message = forms.CharField(
        label=_("Message to the provider"), max_length=MESSAGE_MAX, required=False, widget=Textarea
    )


class AnswerForm(forms.Form):
    # No answer is chosen until the reader chooses one: a form sent untouched must not accept.
    status = forms.ChoiceField(label=_("Answer"), choices=[("", "—"), *ANSWER_CHOICES])
    reason = forms.CharField(label=_("Reason (when declining)"), max_length=REASON_MAX, required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *Outcome.choices], required=False)
    outcome_on = forms.DateField(label=_("Outcome date"), required=False, widget=IsoDateInput())
    note = forms.CharField(
        label=_("Note on the outcome (when completing or reporting failure)"),
        max_length=REASON_MAX,
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, status_now: str = "", **kwargs: Any) -> None:
        """`status_now`: the referral's status as read, for a form to draw: only the answers
        it can take are offered. A form sent keeps them all, so that an answer made stale
        by someone else's (another tab) is refused by the action saying why."""
        super().__init__(*args, **kwargs)
        if status_now:
            self.offer_for(status_now)

    def offer_for(self, status_now: str) -> None:
        """Draw only what a referral in `status_now` takes: its answers, and the outcome's
        fields only when completing or failing is one of them (a refused form sent back
        offered every answer, and an accepted referral's form offered an outcome that
        accepting refuses). Called after a sent form was checked, it changes what is drawn,
        not what was read."""
        allowed = REFERRAL_TRANSITIONS.get(status_now, ())
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *((code, label) for code, label in ANSWER_CHOICES if code in allowed)]
        dropped = (
            [] if {Status.COMPLETED, Status.FAILED} & set(allowed) else ["outcome", "outcome_on", "note"]
        )
        if Status.DECLINED not in allowed:
            dropped.append("reason")
        for name in dropped:
            self.fields.pop(name, None)
            if self.is_bound and name in self.errors:
                # Its refusal stays said, above the form, though the field is no longer drawn.
                for message in self.errors.pop(name):
                    self.add_error(None, message)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=REASON_MAX)
    version = forms.IntegerField(widget=forms.HiddenInput)


class FunnelForm(DayRangeForm):
    day_range = ("since", "until")

    since = forms.DateField(label=_("Sent from"), required=False, widget=IsoDateInput())
    until = forms.DateField(label=_("Sent until"), required=False, widget=IsoDateInput())
    country = forms.CharField(label=_("Country"), max_length=2, required=False)
    provider = forms.UUIDField(label=_("Provider"), required=False)

    def clean_country(self) -> str:
        code = (self.cleaned_data.get("country") or "").strip().upper()
        if code and not is_country(code):
            raise forms.ValidationError(_("Choose a country from the list."))
        return code


class RulesForm(forms.Form):
    """A new version of a programme's referral rules (set_referral_rules)."""

    effective_from = forms.DateField(label=_("In force from"), widget=IsoDateInput())
    # Text, not a number field: the action says what is wrong in the same words as the API.
    overdue_days = forms.CharField(label=_("Days before an unanswered referral is overdue"), max_length=5)
    # The newest version the page listed (its id, 0: none): one recorded since is said.
    seen_latest = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
