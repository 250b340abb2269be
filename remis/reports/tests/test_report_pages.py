from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from remis.accounts.models import User
from remis.demo.generator import generate_cases
from remis.demo.world import build_world

pytestmark = pytest.mark.django_db

URL = "/reports/returns/"


@pytest.fixture(scope="module")
def _dataset(module_db: None) -> None:
    build_world()
    generate_cases(200, seed=5)


@pytest.fixture
def manager(_dataset: None, client: Client) -> Client:
    client.force_login(User.objects.get(username="manager.be"))
    return client


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_page_shows_a_table_chart_and_definition_in_each_language(manager: Client, language: str) -> None:
    manager.cookies["django_language"] = language
    page = manager.get(URL, {"period": "range", "start": "2000-01-01", "end": "2026-12-01", "by": "origin"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-chart="return-chart-spec"' in html
    assert "format=csv" in html and "format=xlsx" in html
    assert page.context["table"].total_persons > 0
    assert len(page.context["definition"]) >= 6


def test_the_assistance_breakdown_says_where_those_not_assisted_are(manager: Client) -> None:
    """133 persons in the total, rows adding to 103 at most: the 30 who had received nothing
    were in no row, and the page did not say so."""
    page = manager.get(
        URL, {"period": "range", "start": "2000-01-01", "end": "2026-12-01", "by": "assistance"}
    )
    assert 'id="none-received"' in page.content.decode()
    other = manager.get(URL, {"period": "range", "start": "2000-01-01", "end": "2026-12-01", "by": "origin"})
    assert 'id="none-received"' not in other.content.decode()


def test_the_vulnerability_breakdown_says_its_rows_can_add_up_to_less(manager: Client) -> None:
    """Rows of 47 under a total of 84: the cases with no vulnerability were in no row, and
    the note spoke only of rows adding up to more."""
    page = manager.get(
        URL, {"period": "range", "start": "2000-01-01", "end": "2026-12-01", "by": "vulnerability"}
    ).content.decode()
    assert "those rows can also add up to less than the total" in page


def test_the_default_page_counts_this_year(manager: Client) -> None:
    page = manager.get(URL)
    assert page.status_code == 200
    assert page.context["table"] is not None


def test_bad_periods_name_their_field(manager: Client) -> None:
    page = manager.get(URL, {"period": "range", "start": "2020-05-01", "end": "2020-01-01", "by": "origin"})
    assert page.context["form"].errors["end"] == ["The last day comes before the first."]
    assert page.context["table"] is None
    page = manager.get(URL, {"period": "quarter", "year": "2024", "by": "origin"})
    assert "quarter" in page.context["form"].errors
    # A period not begun, as a year after this one: its zeros read as figures.
    ahead = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    page = manager.get(URL, {"period": "range", "start": ahead, "end": "2099-12-31", "by": "origin"})
    assert page.context["form"].errors["start"] == ["The first day is after today: nothing has happened yet."]
    assert page.context["table"] is None
    page = manager.get(URL, {"period": "year", "year": "1200", "by": "origin"})
    assert "year" in page.context["form"].errors
    # Year 0 counted this year's returns under a field still saying 0.
    page = manager.get(URL, {"period": "year", "year": "0", "by": "origin"})
    assert "year" in page.context["form"].errors
    # A year typed, then the period switched to a range: the hidden year is ignored.
    for year in ("20266", "1980", "abc"):
        asked = {"period": "range", "year": year, "start": "2026-01-01", "end": "2026-03-31", "by": "origin"}
        page = manager.get(URL, asked)
        assert not page.context["form"].errors and page.context["table"] is not None, year


def test_downloads_are_the_table_shown(manager: Client) -> None:
    query = {"period": "range", "start": "2000-01-01", "end": "2026-12-01", "by": "sex"}
    shown = manager.get(URL, query).context["body"]
    csv = manager.get(URL, {**query, "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == len(shown) + 1  # the header, then each row shown
    xlsx = manager.get(URL, {**query, "format": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content))
    assert [list(r) for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)] == [
        [v if v != "" else None for v in row] for row in shown
    ]
    assert book.worksheets[1].max_row >= 7  # the definition: filters, period, as-of time
    assert not any(sheet.sheet_view.rightToLeft for sheet in book.worksheets)
    # No "Code" column stood empty for sexes; countries keep their ISO codes.
    assert "Code" not in lines[0]
    by_origin = manager.get(URL, {**query, "by": "origin", "format": "csv"}).content.decode("utf-8-sig")
    assert by_origin.splitlines()[0].split(",")[1] == "Code"
    # In Arabic, every sheet is laid out right to left, as Arabic spreadsheets are.
    arabic = manager.get(URL, {**query, "format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="ar")
    sheets = load_workbook(io.BytesIO(arabic.content)).worksheets
    assert len(sheets) == 2 and all(sheet.sheet_view.rightToLeft for sheet in sheets)


def test_cross_table_page(manager: Client) -> None:
    page = manager.get(
        URL, {"period": "range", "start": "2000-01-01", "end": "2026-12-01", "by": "host", "across": "origin"}
    )
    assert page.status_code == 200 and page.context["table"].columns


def test_readers_without_statistics_are_refused(client: Client) -> None:
    build_world()
    client.force_login(User.objects.get(username="provider.gn"))
    assert client.get(URL).status_code == 403


def test_api_returns_the_same_figures(manager: Client, api_client: Any) -> None:
    query = {"period": "range", "start": "2000-01-01", "end": "2026-12-01", "by": "origin"}
    table = manager.get(URL, query).context["table"]
    api = api_client.as_(User.objects.get(username="manager.be"))
    answer = api.get("/reports/returns", start="2000-01-01", end="2026-12-01", by="origin")
    assert answer.status_code == 200
    body = answer.json()
    assert body["total_persons"] == table.total_persons and body["total_cases"] == table.total_cases
    assert [(r["key"], r["persons"]) for r in body["rows"]] == [(r.key, r.persons) for r in table.rows]
    bad = api.get("/reports/returns", start="2020-05-01", end="2020-01-01")
    assert bad.status_code == 422 and "end" in bad.content.decode()
    unknown = api.get("/reports/returns", start="2020-01-01", end="2020-12-31", by="shoe_size")
    assert unknown.status_code == 422
    # An unknown country or a programme not seen answered zeros, as if nobody had returned.
    from remis.programmes.models import Programme
    from remis.programmes.queries import visible_programmes

    unseen = Programme.objects.exclude(pk__in=visible_programmes(User.objects.get(username="manager.be")))
    for name, value in (
        ("origin", "ZZ"),
        ("host", "QQ"),
        ("programme", "999999"),
        ("programme", unseen[0].pk),
    ):
        refused = api.get("/reports/returns", start="2020-01-01", end="2020-12-31", **{name: value})
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == name, (name, value)


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_annual_report_page_and_pdf(manager: Client, language: str) -> None:
    from remis.lib.pdf import pdf_renderer_missing

    manager.cookies["django_language"] = language
    year = max(
        r.key
        for r in manager.get(
            URL, {"period": "range", "start": "2000-01-01", "end": "2026-12-01", "by": "year"}
        )
        .context["table"]
        .rows
    )
    page = manager.get("/reports/annual/", {"year": year})
    assert page.status_code == 200
    report = page.context["report"]
    assert report.total_persons > 0
    keys = [s.key for s in report.sections]
    assert keys == [
        "trend",
        "host",
        "origin",
        "origin_regions",
        "host_regions",
        "programmes",
        "assistance",
        "monitoring",
    ]
    # each table links to the return statistics showing it, with its definition and downloads
    for section in report.sections:
        assert section.query
        linked = manager.get(f"{URL}?{section.query}").context["table"]
        # (the trend adds the years without returns, as 0)
        bars = [(b.label, b.persons) for b in section.bars if not (section.key == "trend" and b.persons == 0)]
        assert [(r.label, r.persons) for r in linked.rows] == bars
    assert 'href="/reports/returns/?period=range' in page.content.decode()
    # The trend lists every year its heading names, a year without returns as 0.
    trend = next(s for s in report.sections if s.key == "trend")
    assert [b.label for b in trend.bars] == [str(y) for y in range(int(year) - 5, int(year) + 1)]
    regions = next(s for s in report.sections if s.key == "origin_regions")
    # each region's top countries add up to no more than the region's returns
    for bar, child in zip(regions.bars, regions.children, strict=False):
        assert sum(b.persons for b in child.bars) <= bar.persons
    if pdf_renderer_missing() is None:
        pdf = manager.get("/reports/annual/", {"year": year, "format": "pdf"})
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_page_of_the_printed_annual_report_says_its_edition(manager: Client, language: str) -> None:
    """The edition was printed on page 1 only: page 3 of the confidential report, printed or
    forwarded alone, no longer said that its counts were exact and not to be shared."""
    from django.utils import translation
    from pypdf import PdfReader

    from remis.lib.pdf import pdf_renderer_missing

    if pdf_renderer_missing() is not None:
        pytest.skip("no PDF renderer on this machine")
    manager.cookies["django_language"] = language
    year = manager.get("/reports/annual/").context["form"].initial.get("year") or 2025
    pdf = manager.get("/reports/annual/", {"year": year, "format": "pdf"})
    assert pdf.status_code == 200
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages]
    assert len(pages) > 1
    with translation.override(language):
        marking = translation.gettext("Confidential edition")
    if language == "ar":  # the text read back splits the lam-alef ligature of its first word
        marking = marking.split()[-1]
    assert all(marking in page for page in pages), [i for i, page in enumerate(pages) if marking not in page]


def test_the_annual_report_refuses_a_year_out_of_range(manager: Client) -> None:
    page = manager.get("/reports/annual/", {"year": "1800"})
    assert "year" in page.context["form"].errors and page.context["report"] is None
    page = manager.get("/reports/annual/", {"year": "0"})
    assert "year" in page.context["form"].errors and page.context["report"] is None


def test_country_filters_offer_the_countries_of_the_programmes_seen(manager: Client) -> None:
    """About 250 countries were offered (Antarctica, Bouvet Island…)."""
    for path in ("/reports/returns/", "/reports/packages/", "/reports/research/"):
        page = manager.get(path).content.decode()
        select = page.split('name="origin"')[1].split("</select>")[0]
        assert 'value="AQ"' not in select and 'value="BV"' not in select, path
        assert select.count("<option") > 2, path  # the programmes' countries of origin


def test_a_top_table_with_ties_says_why_it_lists_more_rows() -> None:
    """ "Top 10 host countries" listed 14 rows (those tied with the 10th kept) without a word."""
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    bar = SimpleNamespace(label="Guinea", width=50.0, rtl_x=50.0, persons=3, cases=2)

    def section(rows: int) -> SimpleNamespace:
        dimension = SimpleNamespace(label="Host country")
        return SimpleNamespace(bars=[bar] * rows, table=SimpleNamespace(top=10, dimension=dimension))

    tied = render_to_string("reports/includes/bars.html", {"section": section(14)})
    assert "The rows tied with the last of the first 10 are listed too: 14 rows." in tied
    assert "are listed too" not in render_to_string("reports/includes/bars.html", {"section": section(10)})
