"""A framework's results as the page shows them (one table per indicator) and as downloads:
CSV and XLSX in long form (one row per indicator, period and group), the shape an analyst
pivots; the XLSX adds the framework's definitions."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from remis.indicators.computation import COUNT, POINTS, SHARE, describe, scale_of
from remis.indicators.results import Cell, FrameworkResults, IndicatorResult, format_value, shown
from remis.lib.dates import moment_text
from remis.lib.spreadsheet import in_reading_direction, neutralised, xlsx_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class ResultTable:
    result: IndicatorResult
    columns: list[str]
    rows: list[tuple[str, list[str]]] = field(default_factory=list)
    groups: list[tuple[str, list[str]]] = field(default_factory=list)
    note: str = ""
    chart: dict[str, Any] | None = None  # target against actual (charts.py), on the page

    @property
    def chart_id(self) -> str:
        return f"indicator-chart-{self.result.indicator.pk}"


def _n(cell: Cell, threshold: int) -> int | str:
    if cell.restricted:
        return str(_("Restricted"))
    if cell.hidden:
        return f"<{threshold}" if cell.n < threshold else "x"
    return cell.n


def _n_text(cell: Cell, threshold: int) -> str:
    counted = _n(cell, threshold)
    return format_value("count", counted) if isinstance(counted, int) else counted


def _met(met: bool | None) -> str:
    return "–" if met is None else (_("Yes") if met else _("No"))


def result_tables(results: FrameworkResults) -> list[ResultTable]:
    columns = [p.key for p in results.periods]
    tables = []
    for result in results.results:
        table = ResultTable(result, columns)
        if result.error:
            table.note = _("This indicator's computation no longer checks: %(error)s") % {
                "error": result.error
            }
        elif not result.applies:
            table.note = _("This indicator does not apply to the programme chosen.")
        else:
            assert result.spec is not None
            scale = scale_of(result.spec)
            table.rows = [
                (_("Result"), [shown(result, r.cell, results.threshold) for r in result.rows]),
                (_("Rows counted"), [_n_text(r.cell, results.threshold) for r in result.rows]),
                (
                    _("Target"),
                    ["" if r.target is None else format_value(scale, r.target) for r in result.rows],
                ),
                (_("Target met"), [_met(r.met) for r in result.rows]),
            ]
            table.groups = [
                (g.label, [shown(result, c, results.threshold) for c in g.cells]) for g in result.groups
            ]
        tables.append(table)
    return tables


def _header() -> list[str]:
    return [
        _("Indicator code"),
        _("Indicator"),
        _("Period"),
        _("Group"),
        _("Result"),
        _("Rows counted"),
        _("Target"),
        _("Target met"),
        _("Unit"),
    ]


def _unit(scale: str) -> str:
    """What a result's number is, written beside it: a share was 0.7619 with nothing to
    say it is 76.2 %."""
    return {
        SHARE: _("share (1 = 100 %)"),
        COUNT: _("count"),
        POINTS: _("points (0 to 100)"),
    }.get(scale, "")


def _number(scale: str, value: Any) -> Any:
    """A result or target as written in the files: a share as its fraction rounded to four
    places (a percentage to one decimal), a score in points to one decimal, as on the page."""
    if not isinstance(value, int | float | Decimal) or isinstance(value, bool):
        return value
    number = float(value)
    if scale == SHARE:
        return round(number, 4)
    if scale == POINTS:
        return round(number * 100, 1)
    if scale == COUNT:
        return round(number)
    return round(number, 2)


def _long_rows(results: FrameworkResults) -> list[list[Any]]:
    """Values as numbers as the API gives them (a share or a score as its fraction, a count
    whole) where shown; "<5" or "x"
    where hidden."""
    rows: list[list[Any]] = []
    for result in results.results:
        if result.spec is None or not result.applies:
            continue
        indicator = result.indicator
        scale = scale_of(result.spec)
        unit = _unit(scale)
        for row in result.rows:
            value: Any = shown(result, row.cell, results.threshold) if row.cell.hidden else row.cell.value
            rows.append(
                [
                    indicator.code,
                    indicator.label,
                    row.period.key,
                    "",
                    "" if value is None else _number(scale, value),
                    _n(row.cell, results.threshold),
                    "" if row.target is None else _number(scale, row.target),
                    _met(row.met),
                    unit,
                ]
            )
        for group in result.groups:
            for period, cell in zip(results.periods, group.cells, strict=True):
                value = shown(result, cell, results.threshold) if cell.hidden else cell.value
                rows.append(
                    [
                        indicator.code,
                        indicator.label,
                        period.key,
                        group.label,
                        "" if value is None else _number(scale, value),
                        _n(cell, results.threshold),
                        "",
                        "",
                        unit,
                    ]
                )
    return rows


def results_csv(results: FrameworkResults, filename: str) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header())
    # Indicator names are typed by people: one starting "=" must not run as a formula.
    writer.writerows(neutralised(row) for row in _long_rows(results))
    response = HttpResponse(("\ufeff" + out.getvalue()).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def results_xlsx(results: FrameworkResults, filename: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = in_reading_direction(book.create_sheet(_("Results")[:31]))
    sheet.append(_header())
    share = _unit(SHARE)
    for row in _long_rows(results):
        if row[-1] == share:  # shown as the page shows them: 76.2 %, the number kept
            for at in (4, 6):
                if isinstance(row[at], float):
                    cell = WriteOnlyCell(sheet, value=row[at])
                    cell.number_format = "0.0%"
                    row[at] = cell
        sheet.append(xlsx_row(sheet, row))
    about = in_reading_direction(book.create_sheet(_("Definitions")[:31]))
    about.append([_("Indicator code"), _("Indicator"), _("Definition"), _("Computation")])
    for result in results.results:
        computed = describe(result.spec) if result.spec is not None else result.error
        indicator = result.indicator
        about.append(xlsx_row(about, [indicator.code, indicator.label, indicator.definition_text, computed]))
    framework = results.framework
    about.append([])
    about.append(xlsx_row(about, [_("Framework"), f"{framework.label} v{framework.number}"]))
    about.append([_("Figures as of"), moment_text(results.as_of)])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
