"""In a browser, in each language: the return statistics form filled and shown (table,
chart, definition), a download, Back to the previous figures, the annual report; and a
donor's figures with their small cells hidden."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

LOCALES = {"en": "en-GB", "fr": "fr-FR", "ar": "ar"}
WORDS = {
    "en": (
        "Return statistics",
        "Period",
        "From … to …",
        "From",
        "To",
        "Break down by",
        "Show",
        "Download CSV",
    ),
    "fr": (
        "Statistiques des retours",
        "Période",
        "Du … au …",
        "Du",
        "À",
        "Ventiler par",
        "Afficher",
        "Télécharger en CSV",
    ),
    "ar": ("إحصاءات العودة", "الفترة", "من … إلى …", "من", "إلى", "التصنيف حسب", "عرض", "تنزيل CSV"),
}

EDITION = {"en": "Edition", "fr": "Édition", "ar": "الإصدار"}


def _returned(world, count: int, origin: str, arrival: dt.date) -> None:
    """Cases registered through the actions, then moved to "returned" on a day."""
    from remis.cases.models import Case
    from remis.cases.tests.factories import register

    for _ in range(count):
        case = register(world, origin=origin)
        Case.objects.filter(pk=case.pk).update(stage="returned", arrival_date=arrival)


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_return_statistics_in_each_language(world, login, language):
    _returned(world, 6, "GN", dt.date(2025, 3, 10))
    _returned(world, 2, "SN", dt.date(2025, 7, 1))
    title, period, _custom, start, end, by, show, csv = WORDS[language]
    page = login(world.carol, LOCALES[language])  # an M&E officer in Belgium
    page.get_by_role("link", name=title).first.click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    # Only the fields of the kind of period chosen are shown: a year's, then a range's.
    expect(page.get_by_label(start, exact=True)).to_be_hidden()
    expect(page.locator("#id_year")).to_be_visible()
    page.get_by_label(period, exact=True).select_option("range")
    expect(page.locator("#id_year")).to_be_hidden()
    page.get_by_label(start, exact=True).fill("2025-01-01")
    page.get_by_label(end, exact=True).fill("2025-12-31")
    page.get_by_label(by, exact=True).select_option("origin")
    page.get_by_role("button", name=show).click()
    table = page.locator("table").first
    expect(table.get_by_role("row").filter(has_text="6")).to_have_count(1)  # Guinea: 6 persons
    expect(page.locator(".chart svg").first).to_be_visible()  # drawn by the served vega scripts
    with page.expect_download() as download:
        page.get_by_role("link", name=csv).click()
    assert download.value.suggested_filename.endswith(".csv")
    page.get_by_label(by, exact=True).select_option("sex")
    page.get_by_role("button", name=show).click()
    expect(page.get_by_label(by, exact=True)).to_have_value("sex")
    assert "by=sex" in page.url
    page.go_back()
    assert "by=origin" in page.url
    expect(page.get_by_label(by, exact=True)).to_have_value("origin")
    # The public edition: Senegal's 2 persons hidden, Guinea's 6 with them, and said so.
    page.get_by_label(EDITION[language], exact=True).select_option("public")
    page.get_by_role("button", name=show).click()
    expect(page.locator('.edition[data-edition="public"]')).to_be_visible()
    expect(page.locator("table").first.get_by_role("cell", name="<5").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name=csv).click()
    assert download.value.suggested_filename.endswith("-public.csv")


def test_a_bad_period_is_named_and_nothing_shown(world, login):
    page = login(world.carol)
    page.goto("/reports/returns/?period=range&start=2025-05-01&end=2025-01-01&by=origin")
    expect(page.get_by_text("The last day comes before the first.")).to_be_visible()
    expect(page.locator("#id_end")).to_be_visible()  # a range's fields, in view with their error
    expect(page.get_by_role("link", name="Download CSV")).to_have_count(0)


def test_annual_report_and_a_donors_hidden_small_cells(world, login):
    from remis.accounts.system import system_actor
    from remis.programmes import actions as programmes

    _returned(world, 6, "GN", dt.date(2025, 3, 10))
    _returned(world, 1, "SN", dt.date(2025, 7, 1))
    donor_organisation = world.victor.memberships.first().organisation
    programmes.set_programme_funders(system_actor(), world.programme, [donor_organisation])
    page = login(world.carol)
    page.goto("/reports/annual/?year=2025")
    expect(page.get_by_role("heading", name="Annual report", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Top 10 countries of origin, 2023–2025")).to_be_visible()
    donor = login(world.victor)
    donor.goto("/reports/returns/?period=year&year=2025&by=origin")
    rows = donor.locator("table").first
    expect(rows.get_by_role("cell", name="<5").first).to_be_visible()  # Senegal's one person
    expect(rows.get_by_role("cell", name="x").first).to_be_visible()  # Guinea's 6, hidden with it
    expect(donor.locator(".edition").get_by_text("“x” marks a larger count")).to_be_visible()


def test_a_report_package_is_asked_built_and_downloaded(world, login, start_worker):
    """With a real worker: the package asked in the public edition, its progress followed
    without reloading, its XLSX and PDF downloaded."""
    import re

    from remis.lib.pdf import pdf_renderer_missing

    _returned(world, 6, "GN", dt.date(2025, 3, 10))
    _returned(world, 2, "SN", dt.date(2025, 7, 1))
    page = login(world.carol)
    page.goto("/reports/returns/")
    page.get_by_role("link", name="Report packages").click()
    expect(page.get_by_text("You have not asked for any package yet.")).to_be_visible()
    page.get_by_label("Report", exact=True).select_option("annual")
    page.get_by_label("Year", exact=True).fill("2025")
    page.get_by_label("Edition", exact=True).select_option("public")
    page.get_by_role("button", name="Build the package").click()
    expect(page.get_by_role("status")).to_contain_text("The package is being built")
    row = page.locator("#packages tbody tr").first
    expect(row).to_contain_text("Public edition")
    start_worker()  # the list refreshes itself until the package is built
    expect(row).to_contain_text("Succeeded", timeout=60_000)
    with page.expect_download() as download:
        row.get_by_role("link", name="XLSX").click()
    assert download.value.suggested_filename == "report-annual-2025-all-public.xlsx"
    if pdf_renderer_missing() is None:
        with page.expect_download() as pdf:
            row.get_by_role("link", name="PDF").click()
        assert pdf.value.suggested_filename.endswith(".pdf")
    row.get_by_role("link", name=re.compile("Annual 2025")).click()
    expect(page.locator('.edition[data-edition="public"]')).to_be_visible()
    expect(page.get_by_role("cell", name="<5").first).to_be_visible()  # Senegal's 2
