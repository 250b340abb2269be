"""Reintegration outcomes as downloads: the scores by round (CSV), and every table of the
page with its definition (XLSX), as the page shows them: scores 0 to 100, shares as
fractions (formatted as percentages in the workbook), "<threshold" for a group too small to
show, "x" for a count hidden with it. An M&E officer retyped the tables for a donor's annex."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from remis.lib.dates import moment_text
from remis.lib.spreadsheet import csv_bytes, in_reading_direction, sheet_title, xlsx_row
from remis.reports.outcomes import MEASURES, OutcomeRow, Outcomes


def _score(value: float | None) -> Any:
    """As the page shows it (`points_value`, which the page's filter writes out)."""
    from remis.monitoring.response_forms import points_value

    shown = points_value(value)
    return "" if shown is None else shown


def _count(n: int, threshold: int = 0) -> Any:
    """As the page prints it: "<5" for a small count hidden, "x" for a larger one."""
    if n == -2:
        return f"<{threshold}"
    return "x" if n < 0 else n


def score_header(result: Outcomes, *, fractions: bool = False) -> list[str]:
    """`fractions`: the file writes shares as fractions (CSV), said in their header: the
    page reads 45 %, the CSV 0.45 under the same words. The workbook formats them as %."""
    first = [str(result.group_label)] if result.group else []
    leave = _("Wish to leave again")
    measures = [_("Economic"), _("Social"), _("Psychosocial"), _("Composite"), _("Median composite")]
    return [
        *first,
        _("Round"),
        _("Responses"),
        *measures,
        *(label for _code, label in result.bands),
        _("%(share)s (share, 1 = 100 %%)") % {"share": leave} if fractions else leave,
    ]


def _score_row(result: Outcomes, row: OutcomeRow, comparison: bool = False) -> list[Any]:
    first = [_("Comparison samples") if comparison else row.label] if result.group else []
    round_ = (_("Comparison samples") if not result.group else "") if comparison else row.round
    if row.hidden:
        blanks = [""] * (len(MEASURES) + 1 + len(result.bands) + 1)
        return [*first, round_, f"<{result.threshold}", *blanks]
    restricted = str(_("Restricted"))  # as the page reads it (`outcomes._restrict`)
    means = [restricted if hidden else _score(value) for value, hidden in row.measure_cells]
    share = row.remigrate_share
    return [
        *first,
        round_,
        row.responses,
        *means,
        *(restricted if "bands" in row.restricted else _count(n, result.threshold) for n in row.band_list),
        restricted if "remigrate" in row.restricted else "" if share is None else round(share, 4),
    ]


def score_rows(result: Outcomes) -> list[list[Any]]:
    rows = [_score_row(result, row) for row in result.rows]
    if result.comparison is not None:
        rows.append(_score_row(result, result.comparison, comparison=True))
    return rows


def _satisfaction(result: Outcomes) -> tuple[list[str], list[list[Any]]]:
    header = [_("Type of assistance"), _("Responses"), _("Mean score"), _("Satisfied")]
    rows: list[list[Any]] = []
    for line in result.satisfaction:
        if line.hidden:
            rows.append([line.label, f"<{result.threshold}", "", ""])
        else:
            share = line.satisfied_share
            rows.append(
                [line.label, line.responses, _score(line.mean), "x" if share is None else round(share, 4)]
            )
    return header, rows


def _attrition(result: Outcomes) -> tuple[list[str], list[list[Any]]]:
    first = [str(result.group_label)] if result.group else []
    header = [
        *first,
        _("Round"),
        _("Done"),
        _("Lost to follow-up"),
        _("Missed"),
        _("Response rate"),
        _("Window still open"),
        _("Stopped (case closed)"),
    ]
    rows: list[list[Any]] = []
    for line in result.attrition:
        rate = line.rate
        rows.append(
            [
                *([line.label] if result.group else []),
                line.round,
                _count(line.done, result.threshold),
                _count(line.lost, result.threshold),
                _count(line.missed, result.threshold),
                "" if rate is None else round(rate, 4),
                _count(line.open, result.threshold),
                _count(line.stopped, result.threshold),
            ]
        )
    return header, rows


def definition(result: Outcomes, filters_text: list[tuple[str, str]]) -> list[tuple[str, str]]:
    rows = [
        *filters_text,
        (
            _("Scores"),
            _("Reintegration sustainability scores from 0 to 100, means of the responses of each round."),
        ),
        (_("Figures as of"), moment_text(result.as_of)),
    ]
    if result.threshold:
        rows.append(
            (
                _("Hidden counts"),
                _(
                    "Groups of fewer than %(threshold)s responses show no score; counts from 1 to "
                    "%(last)s are shown as “<%(threshold)s”, and “x” marks a larger count hidden with "
                    "them so that none can be worked out."
                )
                % {"threshold": result.threshold, "last": result.threshold - 1},
            )
        )
    return rows


def scores_csv(result: Outcomes) -> bytes:
    return csv_bytes(score_header(result, fractions=True), score_rows(result))


def _sheet(book: Any, title: str, header: list[str], rows: list[list[Any]], shares: set[int]) -> None:
    from openpyxl.cell import WriteOnlyCell

    sheet = in_reading_direction(book.create_sheet(sheet_title(title)))
    sheet.append(xlsx_row(sheet, header))
    for row in rows:
        cells = xlsx_row(sheet, row)
        for at in shares:
            if at < len(cells) and isinstance(cells[at], float):
                cell = WriteOnlyCell(sheet, value=cells[at])
                cell.number_format = "0.0%"
                cells[at] = cell
        sheet.append(cells)


def _process(process: Any) -> tuple[list[str], list[list[Any]]]:
    """The page's "Process and service quality" table: each indicator, how many it counts,
    and its value, each figure a number in its own column (a share, or the median, mean and
    most) so that a donor's annex can sum and chart them: "12; 40.0" in one cell was text."""

    def rounded(value: Any, places: int) -> Any:
        # Rounded half up as the page shows it, not cut: 2.268 cases per worker read 2.2.
        if value is None:
            return ""
        exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return int(exact) if places == 0 else float(exact)

    def median(value: Any) -> Any:
        """A median of whole days is whole or a half (46.5): the half is kept."""
        if value is None:
            return ""
        return rounded(value, 0 if float(value).is_integer() else 1)

    marks = process.count_marks

    def counted(name: str, n: int) -> Any:
        # As the page prints it: "<5" for a small count, "x" for one that would give one away.
        return marks.get(name, n)

    def days(label: str, name: str, delay: Any) -> list[Any]:
        return [label, counted(name, delay.cases), "", median(delay.median), rounded(delay.mean, 1), ""]

    def share(label: str, name: str, value: float | None) -> list[Any]:
        return [
            label,
            counted(name, getattr(process, name)),
            "" if value is None else round(value, 4),
            "",
            "",
            "",
        ]

    per_worker: list[Any] = ["", "", ""]
    if process.cases_per_worker is not None:
        per_worker = [
            median(process.per_worker_median or 0),
            rounded(process.cases_per_worker, 1),
            rounded(process.per_worker_max or 0, 0),
        ]

    rows: list[list[Any]] = [
        days(
            _("Days from arrival to the plan's first approval (median; mean)"), "approval", process.approval
        ),
        days(_("Days from arrival to the first payment (median; mean)"), "payment", process.payment),
        share(_("Referrals accepted, of those the providers answered"), "answered", process.acceptance_rate),
        share(_("Referrals completed, of the accepted ones that ended"), "ended", process.completion_rate),
        share(
            _("Submissions answered by the partner within the deadline, of those answered"),
            "submissions_answered",
            process.in_time_rate,
        ),
        [
            _("Cases per case worker holding them (mean; median; most)"),
            counted("held", process.held),
            "",
            *per_worker,
        ],
        share(
            _("Monitoring rounds done within their window, of those whose window has closed"),
            "rounds_closed",
            process.within_window_rate,
        ),
    ]
    return [_("Indicator"), _("Counted"), _("Share"), _("Median"), _("Mean"), _("Most")], rows


def outcomes_xlsx(result: Outcomes, filters_text: list[tuple[str, str]], process: Any = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    header = score_header(result)
    _sheet(book, _("Scores by round"), header, score_rows(result), {len(header) - 1})
    header, rows = _satisfaction(result)
    _sheet(book, _("Satisfaction"), header, rows, {3})
    header, rows = _attrition(result)
    _sheet(book, _("Attrition by round"), header, rows, {len(header) - 3})
    if process is not None:  # the page's last tables: they were left out of "every table"
        header, rows = _process(process)
        _sheet(book, _("Process and service quality"), header, rows, {2})
        visits = [[label, _count(n, process.threshold)] for _code, label, n in process.visits]
        _sheet(book, _("How visits reached returnees"), [_("Mode"), _("Visits")], visits, set())
    about = in_reading_direction(book.create_sheet(_("Definition")[:31]))
    for name, value in definition(result, filters_text):
        about.append(xlsx_row(about, [name, value]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
