"""Rows and files of cases to import, as a programme's old database would export them."""

from __future__ import annotations

import csv
import io
from typing import Any

from remis.programmes.models import MigrantCategory

HEADER = [
    "external_id", "programme", "category", "host_country", "origin_country", "stage",
    "stage_before_closure", "closure_reason", "registered_on", "departure_date", "arrival_date",
    "closed_on", "given_name", "family_name", "sex", "date_of_birth", "phone",
]  # fmt: skip


def category() -> str:
    return str(
        MigrantCategory.objects.filter(sensitive_group="").order_by("code").values_list("code", flat=True)[0]
    )


def case_row(**values: str) -> dict[str, str]:
    row = {
        "external_id": "OLD-1",
        "programme": "BE-REAB",
        "category": category(),
        "host_country": "BE",
        "origin_country": "GN",
        "stage": "closed",
        "stage_before_closure": "monitoring",
        "closure_reason": "completed",
        "registered_on": "2010-01-15",
        "departure_date": "2010-03-02",
        "arrival_date": "2010-03-03",
        "closed_on": "2012-06-30",
        "given_name": "Mariama",
        "family_name": "Testperson",
        "sex": "F",
        "date_of_birth": "1988-05-20",
        "phone": "+224 600 00 00 01",
    }
    row.update(values)
    return row


def cases_csv(rows: list[dict[str, str]], header: list[str] = HEADER) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode())


def rows_csv(rows: list[dict[str, str]]) -> bytes:
    """Rows as a CSV file whose header is the first row's keys."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def run_import(actor: Any, organisation: Any, code: str, data: bytes) -> Any:
    """Import `data` as `code` records for `organisation` (valid rows), here and now; the
    result carries the report's rows as `report_rows` (row, column, value, message)."""
    from remis.interop.importing import Run, entity_for, temporary_report

    entity = entity_for(code)
    assert entity is not None
    with temporary_report() as report:
        result = Run(entity, actor, organisation, mode="valid_rows", mapping={}, report=report).read(
            io.BytesIO(data), f"{code}.csv"
        )
        report.seek(0)
        result.report_rows = list(csv.reader(report))[1:]  # type: ignore[attr-defined]
    return result
