"""Exports withdrawn with an erasure: only the files that name one of the erased person's
cases, whatever their format."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.base import ContentFile
from openpyxl import Workbook

from remis.interop.actions import may_name
from remis.interop.models import RecordExport

pytestmark = pytest.mark.django_db


def _xlsx(*rows: tuple[str, ...]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "quotes"),
    [
        ("a.csv", b"reference,given_name\nBEL-2026-000001,A\n", True),
        ("b.csv", b"reference,given_name\nBEL-2026-000002,B\n", False),
        ("c.xlsx", _xlsx(("reference", "given_name"), ("BEL-2026-000001", "A")), True),
        ("d.xlsx", _xlsx(("reference", "given_name"), ("BEL-2026-000002", "B")), False),
        ("e.xlsx", b"PK\x03\x04 damaged", True),  # unreadable: assumed to quote
    ],
)
def test_a_file_quotes_the_case_only_if_it_names_it(
    name: str, content: bytes, quotes: bool, django_user_model: Any
) -> None:
    user = django_user_model.objects.create(username="u")
    kept = RecordExport.objects.create(kind="cases", requested_by=user)
    kept.file.save(name, ContentFile(content))
    assert may_name(kept.file, ["BEL-2026-000001"]) is quotes
