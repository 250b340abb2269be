"""Charts of the report tables: Vega-Lite specs built with Altair, drawn in the browser by
the vega scripts REMIS serves (remis/static/remis/charts.js; no CDN)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from remis.reports.statistics import Table

CHART_ROWS = 25  # the chart shows the first rows; the table below gives them all


def bar_chart(table: Table) -> dict[str, Any] | None:
    import altair as alt

    # Hidden small cells are not drawn (a bar's length would give them away).
    rows = [r for r in table.rows if (r.key, "persons") not in table.hidden][:CHART_ROWS]
    if not rows:
        return None
    data = [{"label": row.label, "persons": row.persons, "position": index} for index, row in enumerate(rows)]
    ordered = table.dimension.code in ("year", "month", "age_group")
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar()
        .encode(
            x=alt.X("persons:Q", title=_("Persons")),
            y=alt.Y(
                "label:N",
                title=str(table.dimension.label),
                sort=alt.EncodingSortField(field="position", order="ascending") if ordered else "-x",
            ),
            tooltip=[
                alt.Tooltip("label:N", title=str(table.dimension.label)),
                alt.Tooltip("persons:Q", title=_("Persons")),
            ],
        )
        .properties(width="container", height=max(120, 22 * len(rows)))
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec
