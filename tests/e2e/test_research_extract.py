"""In a browser, in each language: an M&E officer asks for a research extract from the
reports menu, follows its progress while a real worker builds it, and downloads the CSV and
the XLSX; the CSV holds pseudonyms, never the returnees' names."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

LOCALES = {"en": "en-GB", "fr": "fr-FR", "ar": "ar"}
WORDS = {
    "en": ("Research extracts", "Build the extract", "The extract is being built", "You have not asked"),
    "fr": (
        "Extraits pour la recherche",
        "Construire l’extrait",
        "L’extrait est en cours de construction",
        "Vous n’avez encore demandé aucun extrait",
    ),
    "ar": ("مستخلصات البحث", "إنشاء المستخلص", "يجري إنشاء المستخلص", "لم تطلب أي مستخلص"),
}


def _returned(world, count: int, origin: str, arrival: dt.date) -> list[str]:
    """Cases registered through the actions, then moved to "returned" on a day; their
    principals' family names."""
    from remis.cases.models import Case
    from remis.cases.tests.factories import register

    names = []
    for _ in range(count):
        case = register(world, origin=origin)
        Case.objects.filter(pk=case.pk).update(stage="returned", arrival_date=arrival)
        names.append(case.principal.family_name)
    return names


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_an_extract_is_asked_built_and_downloaded(world, login, start_worker, language):
    link, build, building, empty = WORDS[language]
    names = _returned(world, 6, "GN", dt.date(2025, 3, 10)) + _returned(world, 1, "SN", dt.date(2025, 7, 1))
    page = login(world.carol, LOCALES[language])  # an M&E officer in Belgium
    page.goto("/reports/returns/")
    page.get_by_role("link", name=link).click()
    expect(page.get_by_text(empty)).to_be_visible()
    page.locator("#id_start").fill("2025-01-01")
    page.locator("#id_end").fill("2025-12-31")
    page.locator("#id_k").fill("5")
    page.get_by_role("button", name=build).click()
    expect(page.get_by_role("status")).to_contain_text(building)
    row = page.locator("#extracts tbody tr").first
    start_worker()  # the list refreshes itself until the extract is built
    csv_link = row.get_by_role("link", name="CSV")
    expect(csv_link).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        csv_link.click()
    assert download.value.suggested_filename == "research-extract-2025-01-01-2025-12-31.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("person_pseudonym,case_pseudonym,sex,age_group,origin_country")
    assert len(lines) - 1 <= 7 and all(name not in text for name in names)
    with page.expect_download() as workbook:
        row.get_by_role("link", name="XLSX").click()
    book = load_workbook(io.BytesIO(Path(workbook.value.path()).read_bytes()))
    assert len(book.sheetnames) == 2 and book.worksheets[1]["A1"].value
