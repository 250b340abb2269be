"""Target against actual, per period, for one indicator: bars for the results, a line of
points for the targets (Vega-Lite through Altair, drawn by the scripts REMIS serves)."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from remis.indicators.computation import POINTS, SHARE, scale_of
from remis.indicators.results import IndicatorResult
from remis.lib.vega import chart_locale


def target_chart(result: IndicatorResult) -> dict[str, Any] | None:
    import altair as alt

    if result.spec is None or not result.applies:
        return None
    kind = scale_of(result.spec)
    scale = 100.0 if kind in (SHARE, POINTS) else 1.0
    actual, target = _("Result"), _("Target")
    data = []
    for row in result.rows:
        # Hidden small cells are not drawn (a bar's height would give them away).
        if row.cell.value is not None and not row.cell.hidden:
            data.append({"period": row.period.key, "series": actual, "value": row.cell.value * scale})
        if row.target is not None:
            data.append({"period": row.period.key, "series": target, "value": float(row.target) * scale})
    if not any(d["series"] == actual for d in data):
        return None
    title = {SHARE: _("Per cent"), POINTS: _("Score (0–100)")}.get(kind, _("Value"))
    periods = [row.period.key for row in result.rows]
    # Right to left, time runs from the right, as the table under the chart reads (the chart
    # ran 2024 → 2026 left to right above a table running the other way), its axis on the right.
    rtl = translation.get_language_bidi()
    base = alt.Chart(alt.Data(values=data)).encode(
        x=alt.X(
            "period:O",
            title=_("Period"),
            sort=periods,
            scale=alt.Scale(domain=periods, reverse=rtl),
            axis=alt.Axis(labelAngle=0),
        ),
        y=alt.Y("value:Q", title=title, axis=alt.Axis(orient="right" if rtl else "left")),
        tooltip=[
            alt.Tooltip("period:O", title=_("Period")),
            alt.Tooltip("value:Q", title=title, format=".3~f"),
        ],
    )
    bars = base.transform_filter(alt.datum.series == actual).mark_bar(color="#2563eb")
    layers = [bars]
    if any(d["series"] == target for d in data):
        # The targets' line and points carry no ARIA role of their own (vega would give each
        # an image role without a name): the chart's container names it, the table its values.
        layers.append(
            base.transform_filter(alt.datum.series == target).mark_line(
                point=alt.OverlayMarkDef(aria=False, color="#b45309", size=60), color="#b45309", aria=False
            )
        )
    chart = alt.layer(*layers).properties(width="container", height=160).configure(locale=chart_locale())
    spec: dict[str, Any] = chart.to_dict()
    return spec
