"""The assistance budgets as a CSV: a row per programme and country of origin (and each
programme's total), the sums in the programme's reporting currency, as the page shows them.
A finance officer copied the page by hand for a quarter's report."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from remis.assistance.queries import BudgetRow, Money
from remis.lib.spreadsheet import csv_bytes


def _sum(money: Money) -> Any:
    """The sum in the reporting currency; blank when a month's rate is missing (the page
    names it), never a partial sum."""
    return "" if money.reporting is None else money.reporting.quantize(Decimal("0.01"))


def _missing(row: BudgetRow) -> str:
    gaps = {f"{gap.currency} {gap.month:%Y-%m}" for money in row.columns for gap in money.missing}
    return "; ".join(sorted(gaps))


def budget_csv(rows: list[BudgetRow]) -> bytes:
    header = [
        _("Programme"),
        _("Country of origin"),
        _("Country code"),
        _("Plans"),
        _("Reporting currency"),
        _("Planned"),
        _("Approved"),
        _("Disbursed"),
        _("Missing exchange rates"),
    ]
    return csv_bytes(
        header,
        (
            [
                _("Total, %(programme)s") % {"programme": row.programme} if row.total else row.programme,
                "" if row.total else row.country_label,
                "" if row.total else row.country,
                row.plans,
                row.currency,
                *(_sum(money) for money in row.columns),
                _missing(row),
            ]
            for row in rows
        ),
    )
