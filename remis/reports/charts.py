"""Charts of the report tables: Vega-Lite specs built with Altair, drawn in the browser by
the vega scripts REMIS serves (remis/static/remis/charts.js; no CDN)."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from remis.lib.vega import chart_locale
from remis.reports.statistics import Table

CHART_ROWS = 25  # the chart shows the first rows; the table below gives them all


ORDERED = ("year", "month", "age_group")  # rows in their own order, not largest first


def _drawn(table: Table) -> tuple[list[Any], int]:
    """The rows the chart draws, and how many it could have. Hidden small cells are not
    drawn (a bar's length would give them away). Of a series in time, the latest rows: the
    first 25 months dropped the last five, the busiest among them, and reversed the trend."""
    rows = [r for r in table.rows if (r.key, "persons") not in table.hidden]
    if table.dimension.code in ORDERED and table.dimension.code != "age_group":
        return rows[-CHART_ROWS:], len(rows)
    return rows[:CHART_ROWS], len(rows)


def bar_chart(table: Table) -> dict[str, Any] | None:
    rows, _of = _drawn(table)
    ordered = table.dimension.code in ORDERED
    return bars([(row.label, row.persons) for row in rows], str(table.dimension.label), _("Persons"), ordered)


def chart_note(table: Table) -> str:
    """What the chart leaves out, said under it ("" when it draws every row)."""
    rows, of = _drawn(table)
    if len(rows) >= of:
        return ""
    if table.dimension.code in ("year", "month"):
        return _("The chart draws the latest %(drawn)s of the %(rows)s rows; the table gives them all.") % {
            "drawn": len(rows),
            "rows": of,
        }
    return _("The chart draws the first %(drawn)s of the %(rows)s rows; the table gives them all.") % {
        "drawn": len(rows),
        "rows": of,
    }


def bars(
    rows: list[tuple[str, int]], category: str, measure: str, ordered: bool = False
) -> dict[str, Any] | None:
    """A horizontal bar per (label, value), in the given order or longest first."""
    import altair as alt

    rows = rows[:CHART_ROWS]
    if not rows:
        return None
    data = [{"label": label, "value": value, "position": index} for index, (label, value) in enumerate(rows)]
    # Read right to left in Arabic: the bars grow from the right, their names on the right
    # (the page turned, the chart did not).
    rtl = translation.get_language_bidi()
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar()
        .encode(
            # Counts: whole-number ticks (no 0.2, 0.4… under a handful of projects), a few
            # of them (46 labels, 0 to 90 by 2, crowded the axis). Grouped as the language
            # groups digits (12,345; 12 345), like the table.
            x=alt.X(
                "value:Q",
                title=measure,
                axis=alt.Axis(format=",d", tickMinStep=1, tickCount=6),
                scale=alt.Scale(reverse=rtl),
            ),
            y=alt.Y(
                "label:N",
                title=category,
                sort=alt.EncodingSortField(field="position", order="ascending") if ordered else "-x",
                axis=alt.Axis(orient="right" if rtl else "left", labelLimit=220, labelFontSize=12),
            ),
            tooltip=[alt.Tooltip("label:N", title=category), alt.Tooltip("value:Q", title=measure)],
        )
        .properties(width="container", height=max(120, 22 * len(rows)))
        .configure(locale=chart_locale())
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec
