"""Rows and files of cases to import, as a programme's old database would export them."""

from __future__ import annotations

import csv
import io

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
