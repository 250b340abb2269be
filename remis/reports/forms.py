"""The return statistics' filters: a period (a year, a quarter, a month or a custom range),
whom to count, a programme, countries, and the breakdown."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS as DJANGO_MONTHS
from django.utils.translation import gettext_lazy as _

from remis.lib.countries import named_countries
from remis.lib.widgets import IsoDateInput
from remis.reports.models import PackageKind
from remis.reports.statistics import (
    CONFIDENTIAL_ONLY,
    DIMENSIONS,
    EARLIEST_YEAR,
    Edition,
    Filters,
    Population,
    confidential_only,
)

PERIODS = (
    ("year", _("A year")),
    ("quarter", _("A quarter")),
    ("month", _("A month")),
    ("range", _("From … to …")),
)
# The fields each kind of period is given by.
PERIOD_FIELDS = {
    "year": ("year", "quarter", "month"),
    "quarter": ("quarter",),
    "month": ("month",),
    "start": ("range",),
    "end": ("range",),
}
QUARTERS = (
    (1, _("January–March")),
    (2, _("April–June")),
    (3, _("July–September")),
    (4, _("October–December")),
)
MONTHS = tuple(DJANGO_MONTHS.items())  # 1: "January", … in the reader's language
LONGEST_RANGE_YEARS = 50
EDITION_REFUSED = _("The confidential edition is for those who read case records: choose the public edition.")


def edition_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Edition"),
        choices=Edition.CHOICES,
        required=False,
        error_messages={"invalid_choice": EDITION_REFUSED},
    )


def offer_editions(form: forms.Form, confidential: bool) -> None:
    """Only the editions the reader may read; the most detailed first and by default."""
    field = form.fields["edition"]
    assert isinstance(field, forms.ChoiceField)
    field.choices = (
        Edition.CHOICES if confidential else [c for c in Edition.CHOICES if c[0] == Edition.PUBLIC]
    )
    field.initial = Edition.CONFIDENTIAL if confidential else Edition.PUBLIC
    if confidential:  # a value that is no edition at all
        field.error_messages["invalid_choice"] = _("Choose one of the editions offered.")
    else:  # breakdowns this reader can never get are not offered
        for name in ("by", "across"):
            if name in form.fields:
                choices = form.fields[name]
                assert isinstance(choices, forms.ChoiceField)
                offered: list[Any] = list(choices.choices)  # type: ignore[arg-type]
                choices.choices = [c for c in offered if c[0] not in CONFIDENTIAL_ONLY]


def _programme_countries(programmes: list[tuple[int, str]], field: str) -> list[tuple[str, str]]:
    """The countries (`field`: "host_countries" or "origin_countries") of the programmes the
    reader sees, by name: what a country filter offers (every country of the world was,
    Antarctica included)."""
    from remis.programmes.models import Programme

    codes: set[str] = set()
    for listed in Programme.objects.filter(pk__in=[pk for pk, _name in programmes]).values_list(
        field, flat=True
    ):
        codes.update(listed or ())
    return named_countries(codes)


class ReturnStatisticsForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, initial="year", required=False)
    year = forms.IntegerField(label=_("Year"), required=False)
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=QUARTERS, coerce=int, required=False)
    month = forms.TypedChoiceField(label=_("Month"), choices=MONTHS, coerce=int, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=IsoDateInput())
    end = forms.DateField(label=_("To"), required=False, widget=IsoDateInput())
    population = forms.ChoiceField(
        label=_("Count"), choices=Population.CHOICES, initial=Population.RETURNED, required=False
    )
    programme = forms.TypedChoiceField(label=_("Programme"), coerce=int, required=False, empty_value=None)
    host = forms.ChoiceField(label=_("Host country"), required=False)
    origin = forms.ChoiceField(label=_("Country of origin"), required=False)
    by = forms.ChoiceField(label=_("Break down by"), initial="origin", required=False)
    across = forms.ChoiceField(label=_("Across (a cross-table)"), required=False)
    top = forms.IntegerField(label=_("Only the first"), required=False, min_value=1, max_value=500)
    edition = edition_field()

    def __init__(
        self, *args: Any, programmes: list[tuple[int, str]], confidential: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        years = self.fields["year"]
        assert isinstance(years, forms.IntegerField)
        years.initial = today.year  # its bounds are checked in clean(), with a message naming them
        # Only the fields of the period chosen are shown (remis.js; all of them without
        # scripts: those of other periods are ignored).
        for name, periods in PERIOD_FIELDS.items():
            self.fields[name].widget.attrs["data-shown-with"] = f"period:{','.join(periods)}"
        self.fields["programme"].choices = [("", _("All programmes you see")), *programmes]  # type: ignore[attr-defined]
        all_ = ("", _("All"))
        self.fields["host"].choices = [all_, *_programme_countries(programmes, "host_countries")]  # type: ignore[attr-defined]
        self.fields["origin"].choices = [all_, *_programme_countries(programmes, "origin_countries")]  # type: ignore[attr-defined]
        dimensions = [(code, d.label) for code, d in DIMENSIONS.items()]
        self.fields["by"].choices = dimensions  # type: ignore[attr-defined]
        self.fields["across"].choices = [("", _("Nothing: one breakdown")), *dimensions]  # type: ignore[attr-defined]
        offer_editions(self, confidential)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        today = timezone.localdate()
        period = data.get("period") or "year"
        data["by"] = data.get("by") or "origin"
        if period == "range":
            # The fields of the other periods are hidden, and ignored: a year typed before
            # switching to "From … to" refused the range for a field no longer on screen.
            for name in ("year", "quarter", "month"):
                self.errors.pop(name, None)
        year = today.year if data.get("year") is None else data["year"]  # 0 is no year, not this one
        if period != "range" and not EARLIEST_YEAR <= year <= today.year:
            self.add_error(
                "year",
                _("Enter a year from %(first)s to %(last)s.") % {"first": EARLIEST_YEAR, "last": today.year},
            )
            return data
        if period == "year":
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        elif period == "quarter":
            quarter = data.get("quarter")
            if not quarter:
                self.add_error("quarter", _("Choose the quarter."))
                return data
            start = dt.date(year, 3 * quarter - 2, 1)
            end = _month_end(year, 3 * quarter)
        elif period == "month":
            month = data.get("month")
            if not month:
                self.add_error("month", _("Choose the month."))
                return data
            start, end = dt.date(year, month, 1), _month_end(year, month)
        else:
            start, end = data.get("start"), data.get("end")  # type: ignore[assignment]  # checked below
            # A day that is not a date has its own error already ("Enter a valid date."):
            # "Enter the first day." beside it read as if nothing had been typed.
            if start is None and "start" not in self.errors:
                self.add_error("start", _("Enter the first day."))
            if end is None and "end" not in self.errors:
                self.add_error("end", _("Enter the last day."))
            if start is None or end is None:
                return data
            if end < start:
                self.add_error("end", _("The last day comes before the first."))
                return data
            if start > today:
                # As a year after this one is refused: a period that has not begun counts
                # nothing, and its zeros read as figures.
                self.add_error("start", _("The first day is after today: nothing has happened yet."))
                return data
            if end.year - start.year > LONGEST_RANGE_YEARS:
                self.add_error("end", _("Choose at most %(years)s years.") % {"years": LONGEST_RANGE_YEARS})
                return data
        if data.get("across") and data.get("across") == data.get("by"):
            self.add_error("across", _("Choose another breakdown than the first."))
        if "edition" in self.fields:  # not asked on the outcome pages
            data["edition"] = data.get("edition") or self.fields["edition"].initial
        if data.get("edition") == Edition.PUBLIC:
            for name in ("by", "across"):
                if data.get(name) in CONFIDENTIAL_ONLY:
                    self.add_error(name, confidential_only(data[name]))
        data["filters"] = Filters(
            start=start,
            end=end,
            population=data.get("population") or Population.RETURNED,
            programmes=(data["programme"],) if data.get("programme") else (),
            hosts=(data["host"],) if data.get("host") else (),
            origins=(data["origin"],) if data.get("origin") else (),
        )
        return data


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


class AnnualReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False)
    programme = forms.TypedChoiceField(label=_("Programme"), coerce=int, required=False, empty_value=None)
    edition = edition_field()

    def __init__(
        self, *args: Any, programmes: list[tuple[int, str]], confidential: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        offer_editions(self, confidential)
        self.fields["year"].initial = timezone.localdate().year
        self.fields["programme"].choices = [("", _("All programmes you see")), *programmes]  # type: ignore[attr-defined]

    def clean_year(self) -> int:
        today = timezone.localdate()
        year = self.cleaned_data.get("year")
        year = today.year if year is None else year  # 0 is no year, not this one
        if not EARLIEST_YEAR <= year <= today.year:
            raise forms.ValidationError(
                _("Enter a year from %(first)s to %(last)s.") % {"first": EARLIEST_YEAR, "last": today.year}
            )
        return int(year)

    def clean_edition(self) -> str:
        return str(self.cleaned_data.get("edition") or self.fields["edition"].initial)


class OutcomesForm(ReturnStatisticsForm):
    """The cohort (returns of a period), a programme, and an optional group."""

    GROUPS = ("origin", "host", "sex", "age_group", "category", "vulnerability", "return_type", "assistance")

    def __init__(
        self, *args: Any, programmes: list[tuple[int, str]], confidential: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, programmes=programmes, **kwargs)
        for name in ("population", "across", "top", "host", "origin", "edition"):
            del self.fields[name]
        self.fields["by"].label = _("Compare by")
        # As the return statistics: a breakdown by vulnerability is for readers of case
        # records only (the public edition never offers it).
        self.fields["by"].choices = [  # type: ignore[attr-defined]
            ("", _("Nothing: all returnees together")),
            *(
                (code, DIMENSIONS[code].label)
                for code in self.GROUPS
                if confidential or code not in CONFIDENTIAL_ONLY
            ),
        ]

    def clean(self) -> dict[str, Any]:
        raw_by = self.cleaned_data.get("by") or ""
        data = super().clean()
        data["by"] = raw_by
        return data


class ProjectSummaryForm(AnnualReportForm):
    """A year (blank: every year) and a programme."""

    def __init__(self, *args: Any, programmes: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, programmes=programmes, **kwargs)
        del self.fields["edition"]
        self.fields["year"].initial = None
        self.fields["year"].help_text = _("Projects that ran during the year; leave empty for every year.")

    def clean_year(self) -> int | None:  # type: ignore[override]
        if self.cleaned_data.get("year") in (None, ""):
            return None
        return super().clean_year()


class PackageForm(forms.Form):
    """What a report package covers: a year or a quarter, a programme, a country of origin,
    an edition. Only parses: `packages.request_package` checks the rest."""

    kind = forms.ChoiceField(label=_("Report"), choices=PackageKind.choices, initial=PackageKind.ANNUAL)
    year = forms.IntegerField(label=_("Year"))
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), choices=[("", "—"), *QUARTERS], coerce=int, required=False, empty_value=None
    )
    programme = forms.TypedChoiceField(label=_("Programme"), coerce=int, required=False, empty_value=None)
    origin = forms.ChoiceField(label=_("Country of origin"), required=False)
    edition = edition_field()

    def __init__(
        self, *args: Any, programmes: list[tuple[int, str]], confidential: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        offer_editions(self, confidential)
        self.fields["year"].initial = timezone.localdate().year
        self.fields["programme"].choices = [("", _("All programmes you see")), *programmes]  # type: ignore[attr-defined]
        origins = _programme_countries(programmes, "origin_countries")
        self.fields["origin"].choices = [("", _("All")), *origins]  # type: ignore[attr-defined]


class ResearchExtractForm(forms.Form):
    """What a research extract covers and its k. Only parses: `research.requests` checks
    the rest (the same checks as the API)."""

    start = forms.DateField(label=_("Arrived from"), widget=IsoDateInput())
    end = forms.DateField(label=_("Arrived until"), widget=IsoDateInput())
    programme = forms.TypedChoiceField(label=_("Programme"), coerce=int, required=False, empty_value=None)
    origin = forms.ChoiceField(label=_("Country of origin"), required=False)
    k = forms.IntegerField(
        label=_("k: smallest group"),
        min_value=2,
        max_value=100,
        initial=5,
        help_text=_(
            "Every combination of sex, age group, country of origin and month of arrival in the file is "
            "shared by at least k rows; rarer ones are coarsened, then left out."
        ),
    )

    def __init__(self, *args: Any, programmes: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["start"].initial = dt.date(today.year - 1, 1, 1)
        self.fields["end"].initial = today
        self.fields["programme"].choices = [("", _("All programmes you see")), *programmes]  # type: ignore[attr-defined]
        origins = _programme_countries(programmes, "origin_countries")
        self.fields["origin"].choices = [("", _("All")), *origins]  # type: ignore[attr-defined]
