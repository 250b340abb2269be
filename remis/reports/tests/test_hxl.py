"""HXL tables of the return statistics: the public edition whoever asks, a hashtag row
that names every column as the HXL tagging conventions write it, the values of the public
table, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from remis.accounts.models import User
from remis.demo.generator import generate_cases
from remis.demo.world import build_world
from remis.lib.countries import alpha3
from remis.programmes.models import Programme
from remis.reports import hxl
from remis.reports.statistics import Edition, Filters, Table, breakdown, cross_table

pytestmark = pytest.mark.django_db

START, END = dt.date(2000, 1, 1), dt.date.today()
URL = "/reports/returns/"
QUERY = {"period": "range", "start": "2000-01-01", "end": dt.date.today().isoformat()}
# HXL 1.1 tagging conventions: a hashtag, then attributes, each a letter then letters,
# digits or underscores; whitespace between them means nothing.
HASHTAG = re.compile(r"^#[A-Za-z][A-Za-z0-9_]*(\s*\+[A-Za-z][A-Za-z0-9_]*)*$")
FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture(scope="module")
def generated(module_db: None) -> None:
    build_world()
    generate_cases(300, seed=11)


def _read_hxl(rows: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
    """As an HXL reader does: the hashtag row is the first row whose non-blank cells are all
    hashtags (up to 25 rows down); the data follows it."""
    for index, row in enumerate(rows[:25]):
        cells = [str(c).strip() for c in row if c not in (None, "")]
        if cells and all(HASHTAG.match(c) for c in cells):
            return [str(c) for c in row], rows[index + 1 :]
    raise AssertionError("no hashtag row")


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _check_shape(rows: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
    tags, data = _read_hxl(rows)
    assert rows[1] == tags, "the hashtags are the second row, under the headers"
    assert len(rows[0]) == len(tags) and all(tags), "every column has a header and a hashtag"
    assert all(len(row) == len(tags) for row in data)
    return tags, data


def _shown(table: Table, key: str, measure: str) -> str:
    row = next(r for r in table.rows if r.key == key)
    return str(table.shown(getattr(row, measure), (key, measure) in table.hidden))


def test_a_breakdown_by_country_is_the_public_table_with_iso3_codes(generated: None) -> None:
    manager = User.objects.get(username="manager.be")  # reads case records: still the public edition
    table = breakdown(manager, Filters(START, END), "origin", edition=Edition.PUBLIC)
    assert table is not None and table.threshold
    tags, data = _check_shape(_csv_rows(hxl.as_csv(table)))
    assert tags == [
        "#country+name+origin",
        "#country+code+origin",
        "#affected+returnees+ind",
        "#affected+returnees+hh",
    ]
    assert len(data) == len(table.rows)
    for row, expected in zip(data, table.rows, strict=True):
        assert row[1] == alpha3(expected.key) and len(row[1]) == 3
        assert row[2] == _shown(table, expected.key, "persons")
        assert row[3] == _shown(table, expected.key, "cases")
    assert any(row[2].startswith("<") for row in data), "small counts are hidden as in the public edition"
    exact = breakdown(manager, Filters(START, END), "origin", edition=Edition.CONFIDENTIAL)
    assert exact is not None
    with pytest.raises(ValueError):
        hxl.hxl_table(exact)  # never the confidential edition


def test_sex_and_age_are_attributes_of_the_counts(generated: None) -> None:
    donor = User.objects.get(username="donor")
    by_sex = breakdown(donor, Filters(START, END), "sex")
    assert by_sex is not None
    tags, data = _check_shape(_csv_rows(hxl.as_csv(by_sex)))
    assert "#affected+returnees+ind+f" in tags and "#affected+returnees+ind+m" in tags
    assert len(data) == 1
    f_column = tags.index("#affected+returnees+ind+f")
    assert data[0][f_column] == _shown(by_sex, "F", "persons")
    assert data[0][-2] == str(by_sex.shown(by_sex.total_persons, "persons" in by_sex.hidden_totals))

    crossed = cross_table(donor, Filters(START, END), "host", "age_group")
    assert crossed is not None
    tags, data = _check_shape(_csv_rows(hxl.as_csv(crossed)))
    assert tags[:2] == ["#country+name+host", "#country+code+host"]
    assert "#affected+returnees+ind+age0_4" in tags and "#affected+returnees+ind+age60plus" in tags
    for row in data:
        key = next(r.key for r in crossed.rows if alpha3(r.key) == row[1])
        for (column, _label), value in zip(crossed.columns, row[2:-1], strict=True):
            hidden = (key, column) in crossed.hidden_cells
            assert value == str(crossed.shown(crossed.cells.get((key, column), 0), hidden))
        assert row[-1] == _shown(crossed, key, "persons")

    by_age_and_sex = cross_table(donor, Filters(START, END), "sex", "age_group")
    assert by_age_and_sex is not None
    tags, data = _check_shape(_csv_rows(hxl.as_csv(by_age_and_sex)))
    assert "#affected+returnees+ind+f+age25_34" in tags and len(data) == 1


def test_a_cross_table_of_two_places_is_one_row_per_cell(generated: None) -> None:
    donor = User.objects.get(username="donor")
    table = cross_table(donor, Filters(START, END), "host", "origin")
    assert table is not None
    tags, data = _check_shape(_csv_rows(hxl.as_csv(table)))
    assert tags[-1] == "#affected+returnees+ind" and "#country+code+host" in tags
    assert len(data) == sum(1 for n in table.cells.values() if n)
    codes = {alpha3(r.key): r.key for r in table.rows} | {alpha3(k): k for k, _l in table.columns}
    for row in data:
        cell = (codes[row[1]], codes[row[3]])
        assert row[4] == str(table.shown(table.cells[cell], cell in table.hidden_cells))


def test_programme_names_cannot_run_as_formulas(generated: None, client: Client) -> None:
    Programme.objects.filter(pk=Programme.objects.order_by("pk").first().pk).update(name=FORMULA)  # type: ignore[union-attr]
    donor = User.objects.get(username="donor")
    client.force_login(donor)
    for kind in ("hxl", "csv"):
        answer = client.get(URL, {**QUERY, "by": "programme", "format": kind})
        text = answer.content.decode("utf-8-sig")
        assert "'" + FORMULA.replace('"', '""') in text and "\n" + '"=' not in text and ",=" not in text
    for kind in ("hxl-xlsx", "xlsx"):
        answer = client.get(URL, {**QUERY, "by": "programme", "format": kind})
        book = load_workbook(io.BytesIO(answer.content))
        cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
        planted = [c for c in cells if c.value == FORMULA]
        # Text, marked as Excel marks a value typed after an apostrophe: shown as typed, never run.
        assert planted and all(c.data_type == "s" and c.quotePrefix for c in planted)
        assert not any(c.data_type == "f" for c in cells)


def test_the_page_offers_hxl_in_the_public_edition(generated: None, client: Client) -> None:
    client.force_login(User.objects.get(username="manager.be"))
    page = client.get(URL, {**QUERY, "by": "origin"})
    assert page.context["table"].edition == Edition.CONFIDENTIAL
    assert "format=hxl" in page.content.decode()
    download = client.get(URL, {**QUERY, "by": "origin", "format": "hxl"})
    assert download["Content-Disposition"].endswith('-hxl.csv"')
    public = breakdown(
        User.objects.get(username="manager.be"), Filters(START, END), "origin", edition="public"
    )
    assert download.content == hxl.as_csv(public)  # type: ignore[arg-type]
    sensitive = client.get(URL, {**QUERY, "by": "vulnerability"})
    assert "format=hxl" not in sensitive.content.decode()
    assert client.get(URL, {**QUERY, "by": "vulnerability", "format": "hxl"}).status_code == 403
    book = load_workbook(io.BytesIO(client.get(URL, {**QUERY, "by": "origin", "format": "hxl-xlsx"}).content))
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    _check_shape(rows)
    definition = dict(book.worksheets[1].iter_rows(values_only=True))
    assert "Total persons" in definition


def test_the_api_gives_the_hxl_table(generated: None, api_client: Any) -> None:
    api = api_client.as_(User.objects.get(username="manager.be"))
    answer = api.get("/reports/returns/hxl", start="2000-01-01", end="2100-12-31", by="host", across="sex")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    tags, _data = _check_shape(_csv_rows(answer.content))
    assert tags[:2] == ["#country+name+host", "#country+code+host"]
    xlsx = api.get("/reports/returns/hxl", start="2000-01-01", end="2100-12-31", format="xlsx")
    assert xlsx.status_code == 200
    _check_shape(
        [list(r) for r in load_workbook(io.BytesIO(xlsx.content)).worksheets[0].iter_rows(values_only=True)]
    )
    refused = api.get("/reports/returns/hxl", start="2000-01-01", end="2100-12-31", by="vulnerability")
    assert refused.status_code == 422
    outsider = api_client.as_(User.objects.get(username="provider.gn"))
    assert outsider.get("/reports/returns/hxl", start="2000-01-01", end="2100-12-31").status_code == 403
