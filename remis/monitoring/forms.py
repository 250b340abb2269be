"""Forms of the monitoring pages: they parse; the actions decide what is acceptable, so the
pages and the API refuse the same values with the same words."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from remis.lib.countries import named_countries
from remis.lib.widgets import FastSelect, IsoDateInput, Textarea
from remis.monitoring.actions import NOTE_MAX, VISIT_NOTE_MAX
from remis.monitoring.models import ContactChannel, ContactOutcome, VisitMode
from remis.monitoring.queries import STATE_LABELS, FollowUpFilters, State
from remis.programmes.queries import programme_countries


class AttemptForm(forms.Form):
    attempted_on = forms.DateField(label=_("Date"), widget=IsoDateInput())
    channel = forms.ChoiceField(label=_("Channel"), choices=ContactChannel.choices)
    # Chosen, never preset: "reached" sent untouched took the returnee off the list of low
    # scores to follow up after a call nobody answered.
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *ContactOutcome.choices])
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX)
    version = forms.IntegerField(widget=forms.HiddenInput)


def early_field() -> forms.BooleanField:
    """The confirmation a record dated before its round's window needs (`actions.record_visit`,
    `responses.prepare_response`): offered while the round is upcoming, or once refused."""
    return forms.BooleanField(label=_("Close the round before its window opens"), required=False)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Date of the visit"), widget=IsoDateInput())
    mode = forms.ChoiceField(label=_("Mode"), choices=VisitMode.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=VISIT_NOTE_MAX, widget=Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    early = early_field()


STATE_CHOICES = [
    (State.OPEN, _("Open: upcoming, in window or overdue")),
    ("", _("Any state")),
    (State.DUE, _("To carry out now: in window or overdue")),
    ("due_soon", _("Due this week")),
    (State.IN_WINDOW, STATE_LABELS[State.IN_WINDOW]),
    (State.OVERDUE, STATE_LABELS[State.OVERDUE]),
    (State.MISSED, STATE_LABELS[State.MISSED]),
    (State.UPCOMING, STATE_LABELS[State.UPCOMING]),
    (State.DONE, STATE_LABELS[State.DONE]),
    (State.LOST, STATE_LABELS[State.LOST]),
    (State.LOST_OPEN, _("Lost to follow-up, case not closed")),
    (State.STOPPED, STATE_LABELS[State.STOPPED]),
]


class FollowUpFilterForm(forms.Form):
    # Built in Python: the country list's 250 options through templates were a fifth of the page.
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATE_CHOICES, widget=FastSelect)
    country = forms.ChoiceField(label=_("Country of origin"), required=False, widget=FastSelect)
    programme = forms.ChoiceField(label=_("Programme"), required=False, widget=FastSelect)
    reference = forms.CharField(label=_("Case reference"), required=False, max_length=40)
    mine = forms.BooleanField(label=_("Only the rounds I am to carry out"), required=False)

    def __init__(
        self,
        *args: Any,
        countries: frozenset[str] | None = None,
        programmes: Iterable[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        """`countries`: those the reader's memberships cover (None: all), within which the
        programmes' countries of origin are offered; `programmes`: (code, name) of those the
        reader sees."""
        super().__init__(*args, **kwargs)
        programme = self.fields["programme"]
        assert isinstance(programme, forms.ChoiceField)
        offered = list(programmes)
        programme.choices = [("", _("Any programme")), *offered]
        given = self.data.get("programme") if self.is_bound else None
        if given:
            # A code in other letters is the same code, as the API reads it ("reab-be").
            code = next((c for c, _name in offered if c.casefold() == str(given).strip().casefold()), None)
            if code is not None and code != given:
                self.data = {**dict(self.data.items()), "programme": code}
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        # The countries of origin programmes cover, as the case list offers: not all 250;
        # and of those, the reader's (a case worker in Guinea was offered about 120).
        origins = set(programme_countries()[1])
        if countries is not None:
            origins &= countries
        country.choices = [("", _("Any country")), *named_countries(origins)]
        # The open rounds unless a state is asked for ("Any state" sends an empty one): the
        # work still to do, which is also what the list can show fast at any scale. A query
        # without a state (`?page=2`, a country alone) means them too, and says so: the
        # select shows them and the page links carry them.
        if not self.is_bound:
            self.initial.setdefault("state", State.OPEN)
        elif "state" not in self.data:
            # Every field here takes one value: a plain dict of the query is the same query.
            self.data = {**dict(self.data.items()), "state": State.OPEN}

    def filters(self) -> FollowUpFilters:
        """The list's filters; only for a valid form (or none: the open rounds)."""
        data = self.cleaned_data if self.is_bound else {"state": State.OPEN}
        return FollowUpFilters(
            state=data.get("state") or "",
            country=data.get("country") or "",
            programme=data.get("programme") or "",
            reference=data.get("reference") or "",
            mine=bool(data.get("mine")),
        )


FORM_ROUNDS = 6  # rows the schedule form offers; blank rows are left out


class ScheduleForm(forms.Form):
    """A new version of a programme's monitoring schedule (set_schedule_rules): a row per
    round, blank rows ignored; the action checks the values."""

    effective_from = forms.DateField(label=_("In force from"), widget=IsoDateInput())
    lost_after_attempts = forms.CharField(
        label=_("Failed contact attempts before lost to follow-up"), max_length=3
    )
    # The version the rows were filled from (empty: none), to check that it is still the
    # one in force on the day chosen (`started_from_elsewhere`).
    started_from = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, instruments: dict[str, str] = {}, **kwargs: Any) -> None:  # noqa: B006
        super().__init__(*args, **kwargs)
        for number in range(1, FORM_ROUNDS + 1):
            self.fields[f"months_{number}"] = forms.CharField(
                label=_("Round %(n)s: months after arrival") % {"n": number}, required=False, max_length=4
            )
            self.fields[f"window_{number}"] = forms.CharField(
                label=_("Round %(n)s: window (± days)") % {"n": number}, required=False, max_length=4
            )
            self.fields[f"instrument_{number}"] = forms.ChoiceField(
                label=_("Round %(n)s: instrument") % {"n": number},
                required=False,
                choices=[("", "—"), *instruments.items()],
            )

    def rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"months_{n}"], self[f"window_{n}"], self[f"instrument_{n}"]]
            for n in range(1, FORM_ROUNDS + 1)
        ]

    def row_of(self, index: int) -> int:
        """The form row (from 1) that `rounds()[index]` came from: blank rows are skipped, so
        the action's third round may be the form's fifth row."""
        filled = [
            number
            for number in range(1, FORM_ROUNDS + 1)
            if any(
                self.cleaned_data.get(f"{c}_{number}") not in (None, "")
                for c in ("months", "window", "instrument")
            )
        ]
        return filled[index] if index < len(filled) else index + 1

    def rounds(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        out = []
        for number in range(1, FORM_ROUNDS + 1):
            values = [
                data.get(f"months_{number}"),
                data.get(f"window_{number}"),
                data.get(f"instrument_{number}"),
            ]
            if any(v not in (None, "") for v in values):
                out.append({"months": values[0], "window_days": values[1], "instrument": values[2]})
        return out

    def started_from_elsewhere(self, in_force_then: Any) -> bool:
        """Whether the schedule in force on the day chosen is not the one the rows were
        filled from (today's, or another person's version recorded since). Sent as it was,
        a version for a later day dropped the rounds and limits scheduled in between. A post
        without the field (a script's, not the page's) says what it wants whole: not asked."""
        if "started_from" not in self.data:
            return False
        return str(in_force_then.pk if in_force_then else "") != self.cleaned_data["started_from"]

    @classmethod
    def refilled(
        cls,
        rules: Any,
        day: Any,
        instruments: dict[str, str],
        message: str,
        sent: Any = None,
        started: Any = None,
    ) -> ScheduleForm:
        """The form filled again from `rules` for `day`, with `message` above it; given the
        data `sent` and the version the form `started` from, each value the person changed
        stays as they typed it (the form refilled whole lost their changes, every time a
        later version was in force on the day chosen)."""
        data = {k: "" if v is None else str(v) for k, v in cls.initial_from(rules, day).items()}
        if sent is not None:
            before = {k: "" if v is None else str(v) for k, v in cls.initial_from(started, day).items()}
            # Every value the form has, rows the later version lacks included (a fourth round
            # added was dropped: only that version's rows were looked at).
            names = ["lost_after_attempts"] + [
                f"{part}_{n}"
                for n in range(1, FORM_ROUNDS + 1)
                for part in ("months", "window", "instrument")
            ]
            for name in names:
                if str(sent.get(name, "")) != before.get(name, ""):
                    data[name] = str(sent.get(name, ""))
        form = cls(data, auto_id="schedule-%s", instruments=instruments)
        form.is_valid()
        form.add_error(None, message)
        return form

    @staticmethod
    def initial_from(rules: Any, today: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {"effective_from": today, "started_from": rules.pk if rules else ""}
        if rules is None:
            return initial
        initial["lost_after_attempts"] = rules.lost_after_attempts
        for number, spec in enumerate(rules.rounds[:FORM_ROUNDS], start=1):
            initial[f"months_{number}"] = spec["months"]
            initial[f"window_{number}"] = spec["window_days"]
            initial[f"instrument_{number}"] = spec["instrument"]
        return initial


def _shown(number: Any) -> str:
    """A weight or bound as a person types it: 2, not 2.0; 0.75, not 0.7500."""
    from decimal import Decimal

    from django.utils.formats import number_format

    text = format(Decimal(str(number)).normalize(), "f")
    # As the reader writes decimals ("1,5" in French), as the instruments page shows them.
    return number_format(Decimal(text), decimal_pos=None, use_l10n=True) if "." in text else text


class ScoringForm(forms.Form):
    """A new version's weights and score bands (`actions.new_scoring_version`), filled with
    the version's own: a field per dimension, per indicator and per band but the first
    (which starts at 0), in sections the template draws from `sections`. The action checks
    the numbers."""

    def __init__(self, *args: Any, definition: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections: dict[str, list[str]] = {"dimensions": [], "indicators": [], "bands": []}
        dimension_labels = {d.code: d.label.get(language) for d in definition.dimensions}
        for dimension in definition.dimensions:
            self._add(
                "dimensions", f"dimension_{dimension.code}", dimension.label.get(language), dimension.weight
            )
        for indicator in definition.indicators:
            label = f"{indicator.label.get(language)} ({dimension_labels.get(indicator.dimension, '')})"
            self._add("indicators", f"indicator_{indicator.code}", label, indicator.weight)
        for band in definition.bands[1:]:
            self._add("bands", f"band_{band.code}", band.label.get(language), band.lower * 100)

    def _add(self, section: str, name: str, label: str, value: Any) -> None:
        # Not required: a blank is refused by the action with every other bad number at once.
        self.fields[name] = forms.CharField(label=label, max_length=12, required=False, initial=_shown(value))
        self.sections[section].append(name)

    @property
    def dimension_fields(self) -> list[Any]:
        return [self[name] for name in self.sections["dimensions"]]

    @property
    def indicator_fields(self) -> list[Any]:
        return [self[name] for name in self.sections["indicators"]]

    @property
    def band_fields(self) -> list[Any]:
        return [self[name] for name in self.sections["bands"]]

    def changes(self) -> dict[str, dict[str, str]]:
        """The values typed, by code, as `new_scoring_version` takes them."""
        data = self.cleaned_data
        return {
            "dimension_weights": {n.removeprefix("dimension_"): data[n] for n in self.sections["dimensions"]},
            "indicator_weights": {n.removeprefix("indicator_"): data[n] for n in self.sections["indicators"]},
            "band_lowers": {n.removeprefix("band_"): data[n] for n in self.sections["bands"]},
        }
