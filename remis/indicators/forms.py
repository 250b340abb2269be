"""Forms of the indicator framework pages: they parse input; the actions decide what is
acceptable (the same words on the pages and in the API)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from remis.indicators.computation import (
    AGGREGATIONS,
    DISAGGREGATIONS,
    NUMBER,
    POINTS,
    SHARE,
    SUBJECTS,
    conditions_text,
    scale_of,
    to_points,
)
from remis.indicators.models import Dimension, Direction, Framework, Indicator, Level
from remis.indicators.results import QUARTER, YEAR
from remis.lib.countries import country_choices
from remis.lib.widgets import Textarea
from remis.programmes.models import Programme
from remis.reports.forms import EARLIEST_YEAR
from remis.reports.statistics import DIMENSIONS

GRANULARITIES = ((YEAR, _("Years")), (QUARTER, _("Quarters")))
LONGEST_SPAN_YEARS = 20


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class FrameworkForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Lower-case letters, digits and hyphens; kept by every version."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    name_fr = forms.CharField(label=_("Name in French"), max_length=200, required=False)
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=Textarea(attrs={"rows": 3}))
    description_fr = forms.CharField(
        label=_("Description in French"), required=False, widget=Textarea(attrs={"rows": 3})
    )
    description_ar = forms.CharField(
        label=_("Description in Arabic"), required=False, widget=Textarea(attrs={"rows": 3, "dir": "rtl"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name_ar"].widget.attrs["dir"] = "rtl"

    @staticmethod
    def initial_of(framework: Framework) -> dict[str, Any]:
        return {
            "code": framework.code,
            "name": framework.name,
            "description": framework.description,
            **_translation_fields("name", framework.names),
            **_translation_fields("description", framework.descriptions),
            "version": framework.version,
        }

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **{name: data.get(name) for name in ("code", "name", "description", "version")},
            "names": _translations_of(data, "name"),
            "descriptions": _translations_of(data, "description"),
        }


def _translation_fields(field: str, translations: dict[str, str] | None) -> dict[str, str]:
    """A stored {"fr": …, "ar": …} as the form's `<field>_fr` and `<field>_ar`."""
    return {f"{field}_{language}": (translations or {}).get(language, "") for language in ("fr", "ar")}


def _translations_of(data: dict[str, Any], field: str) -> dict[str, str]:
    """The form's `<field>_fr` and `<field>_ar` as the actions take them."""
    return {language: data.get(f"{field}_{language}") or "" for language in ("fr", "ar")}


def _as_typed(value: Any, scale: str) -> str:
    """A stored target or baseline as an officer types it: a share as a percentage (60%, as
    the lists show it, not the stored fraction 0.6), a score in points (62, not 0.62), which
    read back as the same value."""
    number = Decimal(str(value))
    if scale == SHARE:
        return f"{(number * 100).normalize():f}%"
    if scale == POINTS:
        return f"{to_points(number):f}"
    return f"{number.normalize():f}"


class IndicatorForm(forms.Form):
    # Only parsed here: the action checks every field (required ones too) and the computation,
    # so that one round trip names every error.
    code = forms.CharField(label=_("Code"), max_length=20, required=False, help_text=_("For example RSS-1."))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    definition = forms.CharField(label=_("Definition"), required=False, widget=Textarea(attrs={"rows": 3}))
    name_fr = forms.CharField(label=_("Name in French"), max_length=200, required=False)
    name_ar = forms.CharField(
        label=_("Name in Arabic"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl"}),
    )
    definition_fr = forms.CharField(
        label=_("Definition in French"), required=False, widget=Textarea(attrs={"rows": 2})
    )
    definition_ar = forms.CharField(
        label=_("Definition in Arabic"), required=False, widget=Textarea(attrs={"rows": 2, "dir": "rtl"})
    )
    # A blank first choice: an empty form is told to choose, not saved with the first option.
    dimension = forms.ChoiceField(
        label=_("Dimension"), choices=[("", "—"), *Dimension.choices], required=False
    )
    level = forms.ChoiceField(label=_("Level"), choices=[("", "—"), *Level.choices], required=False)
    core = forms.BooleanField(label=_("Core indicator (every programme reports it)"), required=False)
    aggregation = forms.ChoiceField(label=_("Computation"), required=False)
    subject = forms.ChoiceField(label=_("Counted over"), required=False)
    field = forms.ChoiceField(label=_("Field (a mean or median)"), required=False)
    where = forms.CharField(
        label=_("Only the rows where"),
        required=False,
        widget=Textarea(attrs={"rows": 2, "dir": "ltr"}),
        help_text=_(
            "One condition per line: field, operator (= != < <= > >= in, not in), value. "
            "For example: round = 3"
        ),
    )
    numerator = forms.CharField(
        label=_("Counted in the share when"),
        required=False,
        widget=Textarea(attrs={"rows": 2, "dir": "ltr"}),
        help_text=_("A share only. For example: band = sustainable"),
    )
    disaggregations = forms.MultipleChoiceField(
        label=_("Disaggregations"), required=False, widget=forms.CheckboxSelectMultiple
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, initial=Direction.HIGHER, required=False
    )
    baseline = forms.CharField(label=_("Baseline"), required=False, max_length=30)
    targets = forms.CharField(
        label=_("Targets"),
        required=False,
        widget=Textarea(attrs={"rows": 3, "dir": "ltr"}),
        help_text=_("One per line: a year or a quarter, then the target. For example: 2026: 60%"),
    )
    programmes = forms.MultipleChoiceField(
        label=_("Programmes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every programme."),
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries of origin"), required=False, help_text=_("None chosen: every country.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, programmes: Iterable[Programme] = (), **kwargs: Any) -> None:
        """`programmes`: those offered (`queries.programmes_offered`)."""
        super().__init__(*args, **kwargs)
        _choices(self, "aggregation").choices = [(k, str(v)) for k, v in AGGREGATIONS.items()]
        _choices(self, "subject").choices = [(k, str(s.label)) for k, s in SUBJECTS.items()]
        numbers: list[tuple[str, str]] = []
        for subject in SUBJECTS.values():
            for name, found in subject.fields.items():
                if found.kind == NUMBER and name not in dict(numbers):
                    numbers.append((name, str(found.label)))
        _choices(self, "field").choices = [("", "—"), *numbers]
        _choices(self, "disaggregations").choices = [(c, str(DIMENSIONS[c].label)) for c in DISAGGREGATIONS]
        _choices(self, "programmes").choices = [(p.code, f"{p.code} — {p.name}") for p in programmes]
        _choices(self, "countries").choices = country_choices()
        self.fields["countries"].widget.attrs["size"] = 6
        lines = [
            f"{code}: " + ", ".join(f"{name} ({found.label!s})" for name, found in subject.fields.items())
            for code, subject in SUBJECTS.items()
        ]
        self.field_catalogue = lines  # shown beside the conditions: which fields each subject has

    @classmethod
    def editing(cls, indicator: Indicator, programmes: Iterable[Programme] = ()) -> IndicatorForm:
        spec = indicator.computation or {}
        scale = scale_of(spec)
        subject = str(spec.get("subject") or "")
        targets = "\n".join(
            f"{period}: {_as_typed(value, scale)}"
            for period, value in sorted((indicator.targets or {}).items())
        )
        return cls(
            initial={
                "code": indicator.code,
                "name": indicator.name,
                "definition": indicator.definition,
                **_translation_fields("name", indicator.names),
                **_translation_fields("definition", indicator.definitions),
                "dimension": indicator.dimension,
                "level": indicator.level,
                "core": indicator.core,
                "aggregation": spec.get("aggregation"),
                "subject": spec.get("subject"),
                "field": spec.get("field") or "",
                "where": conditions_text(subject, spec.get("where") or []),
                "numerator": conditions_text(subject, spec.get("numerator") or []),
                "disaggregations": indicator.disaggregations,
                "direction": indicator.direction,
                "baseline": "" if indicator.baseline is None else _as_typed(indicator.baseline, scale),
                "targets": targets,
                "programmes": [p.code for p in indicator.programmes.all()],
                "countries": indicator.countries,
                "version": indicator.version,
            },
            programmes=programmes,
        )

    @staticmethod
    def _computation(data: dict[str, Any]) -> dict[str, Any]:
        return {
            "aggregation": data.get("aggregation"),
            "subject": data.get("subject"),
            "field": data.get("field") or None,
            "where": data.get("where") or "",
            "numerator": data.get("numerator") or "",
        }

    def values(self) -> dict[str, Any]:
        """What the actions take (the conditions as written: the actions parse them)."""
        data = self.cleaned_data
        return {
            "code": data.get("code", ""),
            "name": data.get("name", ""),
            "definition": data.get("definition", ""),
            "names": _translations_of(data, "name"),
            "definitions": _translations_of(data, "definition"),
            "dimension": data.get("dimension", ""),
            "level": data.get("level", ""),
            "core": data.get("core", False),
            "computation": self._computation(data),
            "disaggregations": data.get("disaggregations") or [],
            "direction": data.get("direction", ""),
            "baseline": data.get("baseline") or None,
            "targets": data.get("targets") or "",
            "programmes": data.get("programmes") or [],
            "countries": data.get("countries") or [],
        }


class ResultsForm(forms.Form):
    first = forms.IntegerField(label=_("From year"), required=False)
    last = forms.IntegerField(label=_("To year"), required=False)
    granularity = forms.ChoiceField(label=_("By"), choices=GRANULARITIES, initial=YEAR, required=False)
    programme = forms.TypedChoiceField(label=_("Programme"), coerce=int, required=False, empty_value=None)
    by = forms.ChoiceField(label=_("Disaggregate by"), required=False)

    def __init__(self, *args: Any, programmes: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "programme").choices = [("", _("All programmes you see")), *programmes]
        _choices(self, "by").choices = [
            ("", _("Nothing")),
            *((c, DIMENSIONS[c].label) for c in DISAGGREGATIONS),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        this_year = timezone.localdate().year
        first = data.get("first") or this_year - 2
        last = data.get("last") or this_year
        for name, year in (("first", first), ("last", last)):
            if not EARLIEST_YEAR <= year <= this_year + 10:
                self.add_error(
                    name,
                    _("Choose a year from %(low)s to %(high)s.")
                    % {"low": EARLIEST_YEAR, "high": this_year + 10},
                )
        if last < first:
            self.add_error("last", _("The last year cannot come before the first."))
        elif last - first >= LONGEST_SPAN_YEARS:
            self.add_error("last", _("Show at most %(n)s years at once.") % {"n": LONGEST_SPAN_YEARS})
        data["first"], data["last"] = first, last
        data["granularity"] = data.get("granularity") or YEAR
        return data
