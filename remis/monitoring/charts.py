"""The case page's score trend: a Vega-Lite spec built with Altair, drawn in the browser by
vega-embed from remis/static/remis/charts.js (the CSP allows no inline script and no eval:
the spec travels as a JSON data block, the expressions run through vega's interpreter).
The same numbers are given as a table beside the chart, for screen readers and for anyone
without scripts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from remis.lib.vega import chart_locale
from remis.monitoring.models import Response
from remis.monitoring.response_forms import dimension_values, points
from remis.monitoring.responses import definition_of


@dataclass(frozen=True)
class TrendRow:
    """One response: its round, day and scores (0–100 as text, "—" when not scored)."""

    round: int | None
    collected_on: Any
    composite: str
    band: str
    dimensions: list[str]


@dataclass(frozen=True)
class Trend:
    dimensions: list[str]  # the dimension labels, the table's columns
    rows: list[TrendRow]
    spec: dict[str, Any] | None  # None with fewer than one scored response


def score_trend(responses: list[Response], language: str, *, by_month: bool = False) -> Trend:
    """The table and the chart of a case's reintegration responses, oldest first. `by_month`:
    the days are the first of their month (an anonymised case), and the axis says months."""
    labels: list[str] = []
    rows: list[TrendRow] = []
    points_data: list[dict[str, Any]] = []
    composite_label = _("Composite")
    for response in responses:
        definition = definition_of(response.instrument)
        values = dimension_values(definition, response)
        for _code, label, _value in values:
            if label not in labels:
                labels.append(label)
        band = next((b.label.get(language) for b in definition.bands if b.code == response.band), "—")
        by_label = {label: value for _code, label, value in values}
        # Scores withheld from the reader (responses.masked_scores) say so, not "not scored".
        masked = str(_("Restricted")) if getattr(response, "scores_restricted", False) else ""
        rows.append(
            TrendRow(
                round=response.follow_up.round if response.follow_up else None,
                collected_on=response.collected_on,
                composite=masked or points(response.composite),
                band=masked or band,
                dimensions=[
                    masked if masked and by_label.get(label) is None else points(by_label.get(label))
                    for label in labels
                ],
            )
        )
        day = response.collected_on.isoformat()
        for label, value in [*by_label.items(), (composite_label, response.composite)]:
            if value is not None:
                points_data.append({"day": day, "score": round(float(value) * 100, 1), "series": label})
    # Dimensions met late (a newer instrument version) get "—" in the earlier rows.
    for row in rows:
        row.dimensions.extend(["—"] * (len(labels) - len(row.dimensions)))
    # Days as the pages write them ("4 déc. 2026"), month names from the page's language.
    day_format = "%b %Y" if by_month else "%-d %b %Y"
    # One tick per day (or month) answered: left to itself, Vega ticked every few weeks by
    # month, and every few hours by day — "22 Aug 2026" two dozen times along the axis, and
    # a first tick on a day nobody answered.
    ticks = [_utc_month(day) for day in sorted({r.collected_on for r in rows})]
    series = [*labels, composite_label]
    spec = (
        _spec(points_data, series, day_format, ticks, get_language_info(language)["bidi"])
        if points_data
        else None
    )
    return Trend(dimensions=labels, rows=rows, spec=spec)


def _utc_month(day: dt.date) -> dict[str, Any]:
    """The day as a Vega-Lite date-time in UTC, as Vega reads an ISO date. (Milliseconds
    became `datetime(…)` signals that the page's expression interpreter drew no tick for.)"""
    return {"year": day.year, "month": day.month, "date": day.day, "utc": True}


# Vega's "tableau10", in a fixed order: each dimension keeps its colour in every language
# (left to Vega, colours followed the labels' alphabetical order, which each language changes).
PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d"]
COMPOSITE_COLOUR = "#222222"


def _spec(
    data: list[dict[str, Any]],
    series: list[str],
    day_format: str,
    ticks: list[dict[str, Any]] | None,
    right_to_left: bool,
) -> dict[str, Any]:
    import altair as alt  # imported on use: only the case page draws charts

    # In Arabic each date is isolated right to left: laid out left to right, the SVG read
    # "21 2026 نوفمبر" (the year taken into the month's run) for 21 نوفمبر 2026.
    axis = alt.Axis(
        format=day_format,
        labelAngle=0,
        values=alt.Undefined if ticks is None else ticks,
        labelExpr="'\u2067' + datum.label + '\u2069'" if right_to_left else alt.Undefined,
    )
    colours = [PALETTE[n % len(PALETTE)] for n in range(len(series) - 1)] + [COMPOSITE_COLOUR]

    # A right-to-left page reads the chart mirrored, as Arabic spreadsheets draw it: time runs
    # from right to left and the score axis stands on the right, where the eye starts.
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "day:T",
                title=_("Collected on"),
                axis=axis,
                # Days are calendar days, read by Vega as midnight UTC: written in UTC too, or
                # a browser west of Greenwich showed each one as the day before.
                scale=alt.Scale(type="utc", reverse=right_to_left),
            ),
            # The scale is said under the title rather than along the axis: a title turned on
            # its side broke Arabic text apart, and reads badly in any language.
            y=alt.Y(
                "score:Q",
                title=None,
                scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(orient="right" if right_to_left else "left"),
            ),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=series, range=colours),
                legend=alt.Legend(orient="bottom"),
            ),
        )
        .properties(
            width="container",
            height=220,
            title=alt.TitleParams(
                _("Scores over the rounds"),
                subtitle=_("Score (0–100)"),
                anchor="end" if right_to_left else "start",
            ),
        )
        .configure(locale=chart_locale())
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec
