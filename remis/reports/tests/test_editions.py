"""Editions: the confidential one (exact counts) only for readers of case records; the public
one hides small counts — in the annual report, over all its tables at once, so that no
table gives back what another hides (checked by linear algebra over what the report prints,
independently of the elimination in lib/suppression.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from django.test import Client

from remis.accounts.models import User
from remis.demo.generator import generate_cases
from remis.demo.world import build_world
from remis.lib.suppression import Equation, primary
from remis.lib.tests.test_suppression import _fixed_by_oracle  # the same rank oracle
from remis.programmes.regions import m49_table
from remis.reports.annual import annual_report, period_report
from remis.reports.statistics import (
    Edition,
    EditionRefused,
    Filters,
    Table,
    alphabetical,
    breakdown,
    cross_table,
    exact_breakdown,
)

pytestmark = pytest.mark.django_db

START, END = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
URL = "/reports/returns/"


@pytest.fixture(scope="module")
def generated(module_db: None) -> None:
    build_world()
    generate_cases(400, seed=11)


def test_a_reader_of_case_records_chooses_the_edition(generated: None) -> None:
    manager = User.objects.get(username="manager.be")
    exact = breakdown(manager, Filters(START, END), "origin")
    public = breakdown(manager, Filters(START, END), "origin", edition=Edition.PUBLIC)
    assert exact is not None and public is not None
    assert (exact.edition, exact.threshold, exact.hidden) == (Edition.CONFIDENTIAL, 0, set())
    assert public.edition == Edition.PUBLIC and public.threshold >= 2
    small = {(r.key, "persons") for r in public.rows if primary(r.persons, public.threshold)}
    assert small and small <= public.hidden
    assert sorted((r.key, r.persons) for r in exact.rows) == sorted((r.key, r.persons) for r in public.rows)
    # Hidden rows come last, by name: ordered by count, a run of "<5" would be one count.
    hidden = [(r.key, "persons") in public.hidden for r in public.rows]
    assert hidden == sorted(hidden)
    tail = [r for r in public.rows if (r.key, "persons") in public.hidden and r.key != "?"]
    assert [r.label for r in tail] == sorted((r.label for r in tail), key=alphabetical)
    assert alphabetical("Égypte") < alphabetical("Érythrée") < alphabetical("Yémen")
    assert len({r.persons for r in tail}) > 1  # several counts among them, yet no order by count


def test_others_get_only_the_public_edition(generated: None) -> None:
    donor = User.objects.get(username="donor")
    table = breakdown(donor, Filters(START, END), "origin")
    assert table is not None and table.edition == Edition.PUBLIC and table.threshold
    with pytest.raises(EditionRefused):
        breakdown(donor, Filters(START, END), "origin", edition=Edition.CONFIDENTIAL)
    with pytest.raises(EditionRefused):
        cross_table(donor, Filters(START, END), "host", "origin", edition=Edition.CONFIDENTIAL)
    with pytest.raises(EditionRefused):  # a breakdown by a sensitive group is confidential only
        breakdown(donor, Filters(START, END), "vulnerability")


def test_the_page_and_the_api_say_which_edition_and_refuse_the_other(
    generated: None, client: Client, api_client: Any
) -> None:
    query: dict[str, Any] = {"period": "range", "start": "2000-01-01", "end": "2026-12-01", "by": "origin"}
    client.force_login(User.objects.get(username="donor"))
    page = client.get(URL, query)
    assert page.status_code == 200 and page.context["table"].edition == Edition.PUBLIC
    assert 'data-edition="public"' in page.content.decode()
    refused = client.get(URL, {**query, "edition": "confidential"})
    assert "edition" in refused.context["form"].errors and refused.context["table"] is None
    assert "confidential edition is for those who read case records" in str(refused.context["form"].errors)
    # a breakdown a donor can never get is not offered to them
    assert "vulnerability" not in dict(page.context["form"].fields["by"].choices)
    assert "by" in client.get(URL, {**query, "by": "vulnerability"}).context["form"].errors
    annual = client.get("/reports/annual/", {"year": "2025", "edition": "confidential"})
    assert "edition" in annual.context["form"].errors and annual.context["report"] is None

    api = api_client.as_(User.objects.get(username="donor"))
    answer = api.get("/reports/returns", start="2000-01-01", end="2026-12-01", by="origin")
    assert answer.status_code == 200 and answer.json()["edition"] == "public"
    assert (
        api.get("/reports/returns", start="2000-01-01", end="2026-12-01", edition="confidential").status_code
        == 403
    )
    by_vulnerability = api.get("/reports/returns", start="2000-01-01", end="2026-12-01", by="vulnerability")
    assert by_vulnerability.status_code == 422 and "by" in by_vulnerability.content.decode()
    ahead = api.get("/reports/returns", start="2099-01-01", end="2099-12-31", by="origin")
    assert ahead.status_code == 422 and ahead.json()["errors"][0]["field"] == "start"

    client.force_login(User.objects.get(username="manager.be"))
    sensitive = client.get(URL, {**query, "by": "vulnerability", "edition": "public"})
    assert "confidential edition only" in str(sensitive.context["form"].errors["by"])
    bogus = client.get(URL, {**query, "edition": "bogus"})
    assert "Choose one of the editions offered." in str(bogus.context["form"].errors["edition"])

    manager = api_client.as_(User.objects.get(username="manager.be"))
    exact = manager.get("/reports/returns", start="2000-01-01", end="2026-12-01", by="vulnerability")
    assert exact.status_code == 200 and exact.json()["edition"] == "confidential"
    public = manager.get("/reports/returns", start="2000-01-01", end="2026-12-01", edition="public")
    assert public.json()["edition"] == "public" and public.json()["threshold"] >= 2


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_edition_is_chosen_and_named_in_each_language(
    generated: None, client: Client, language: str
) -> None:
    client.force_login(User.objects.get(username="manager.be"))
    client.cookies["django_language"] = language
    query: dict[str, Any] = {"period": "range", "start": "2000-01-01", "end": "2026-12-01", "by": "origin"}
    confidential = client.get(URL, query)
    assert 'name="edition"' in confidential.content.decode()
    assert 'data-edition="confidential"' in confidential.content.decode()
    public = client.get(URL, {**query, "edition": "public"})
    assert 'data-edition="public"' in public.content.decode()
    download = client.get(URL, {**query, "edition": "public", "format": "csv"})
    assert "-public.csv" in download["Content-Disposition"]
    annual = client.get("/reports/annual/", {"year": "2025", "edition": "public"})
    assert annual.context["report"].edition == Edition.PUBLIC
    assert 'data-edition="public"' in annual.content.decode()


# ---- the annual report's tables together --------------------------------------------------


def _variable(table: Table, measure: str, key: str | None) -> tuple[Any, ...]:
    """A count named by what it counts: the same returns give the same name in any table."""
    return (measure, table.filters) if key is None else (measure, table.filters, table.dimension.code, key)


def _table(section: Any) -> Table:
    assert section.table is not None
    return section.table


def test_no_small_count_can_be_worked_out_from_the_public_annual_report(generated: None) -> None:
    manager = User.objects.get(username="manager.be")
    year = max(int(r.key) for r in exact_breakdown(manager, Filters(START, END), "year").rows)  # type: ignore[union-attr]
    report = annual_report(manager, year, edition=Edition.PUBLIC)
    assert report is not None and report.edition == Edition.PUBLIC and report.threshold >= 2
    threshold = report.threshold
    tables = [_table(s) for s in report.sections] + [_table(c) for s in report.sections for c in s.children]
    # Aliases: a region's row is the total of that region's countries' table; a programme's
    # row the total of its hosts' table; the trend's row for the year the year's total.
    alias: dict[Any, Any] = {}
    regions = m49_table()
    in_year = next(_table(s) for s in report.sections if s.key == "origin_regions").filters
    for section in report.sections:
        for child in section.children:
            parent, table = _table(section), _table(child)
            if section.key == "programmes":
                key = str(table.filters.programmes[0])
            else:
                side = table.filters.origins or table.filters.hosts
                key = regions[side[0]].region
            for measure in ("persons", "cases"):
                alias[_variable(table, measure, None)] = _variable(parent, measure, key)
    trend = next(_table(s) for s in report.sections if s.key == "trend")
    for measure in ("persons", "cases"):
        alias[_variable(trend, measure, str(year))] = (measure, in_year)

    def name(table: Table, measure: str, key: str | None) -> Any:
        found = _variable(table, measure, key)
        return alias.get(found, found)

    values: dict[Any, int] = {}
    printed: set[Any] = set()
    equations = []
    for table in tables:
        assert table.edition == Edition.PUBLIC
        full = exact_breakdown(manager, table.filters, table.dimension.code)
        assert full is not None
        shown_rows = {r.key for r in table.rows}
        for measure in ("persons", "cases"):
            total = name(table, measure, None)
            values[total] = getattr(full, f"total_{measure}")
            if measure not in table.hidden_totals:
                printed.add(total)
            parts = []
            for row in full.rows:
                entry = name(table, measure, row.key)
                values[entry] = getattr(row, measure)
                parts.append(entry)
                if row.key in shown_rows and (row.key, measure) not in table.hidden:
                    printed.add(entry)
                    # nothing small is printed
                    assert not primary(getattr(row, measure), threshold)
            equations.append((total, parts))
    hidden_small = {n for n, v in values.items() if n not in printed and primary(v, threshold)}
    assert hidden_small, "the generated data should have small counts to protect"
    unknown = set(values) - printed
    fixed = _fixed_by_oracle([Equation(total, tuple(parts)) for total, parts in equations], values, unknown)
    assert {n for n in fixed if primary(values[n], threshold)} == set()


def _cells(reader: User, first_year: int, last_year: int) -> dict[tuple[str, str, str, str], int]:
    """Persons returned, by (origin, host, programme, year of arrival): the finest grid every
    figure of the annual report's returns tables adds up from."""
    programmes = [r.key for r in exact_breakdown(reader, Filters(START, END), "programme").rows]  # type: ignore[union-attr]
    cells: dict[tuple[str, str, str, str], int] = {}
    for year in range(first_year, last_year + 1):
        for programme in programmes:
            period = Filters(dt.date(year, 1, 1), dt.date(year, 12, 31), programmes=(int(programme),))
            # The public edition's cross-table marks its small cells hidden; its cells are exact.
            grid = cross_table(reader, period, "origin", "host", edition=Edition.PUBLIC)
            assert grid is not None
            for (origin, host), n in grid.cells.items():
                cells[(origin, host, programme, str(year))] = n
    return cells


def _counts(table: Table, key: str | None, cell: tuple[str, str, str, str]) -> bool:
    """Whether a table's row (None: its total) counts the returns of a cell of the grid."""
    origin, host, programme, year = cell
    regions = m49_table()
    f = table.filters
    if not f.start.year <= int(year) <= f.end.year:
        return False
    if (f.programmes and int(programme) not in f.programmes) or (f.origins and origin not in f.origins):
        return False
    if f.hosts and host not in f.hosts:
        return False
    if key is None:
        return True
    of = {
        "origin": origin,
        "host": host,
        "programme": programme,
        "year": year,
        "origin_region": regions[origin].region if origin in regions else "",
        "host_region": regions[host].region if host in regions else "",
    }
    return of[table.dimension.code] == key


def test_no_small_count_can_be_worked_out_by_setting_the_public_tables_side_by_side(generated: None) -> None:
    """A reader who subtracts one table's figure from another's — a country's three years
    less its year, a country's returns less those from each host region, a host country's
    year less its programmes' — learns nothing small: every figure the report prints is a
    sum over a grid of origin × host × programme × year, and no small count of a country
    (a table's row hidden or left out, a country's earlier two years, its returns from a
    host region, a host country's year) is a combination of the printed figures."""
    donor = User.objects.get(username="donor")  # every country, the public edition only
    year = max(int(r.key) for r in exact_breakdown(donor, Filters(START, END), "year").rows)  # type: ignore[union-attr]
    report = annual_report(donor, year, edition=Edition.PUBLIC)
    assert report is not None
    threshold = report.threshold
    cells = _cells(donor, year - 5, year)
    grid = sorted(cells)
    tables = [
        t
        for t in [_table(s) for s in report.sections]
        + [_table(c) for s in report.sections for c in s.children]
        if t.filters.population == Filters(START, END).population  # the returns, not the assisted
    ]
    printed: list[np.ndarray] = []
    hidden: list[np.ndarray] = []
    for table in tables:
        keys = [r.key for r in table.rows]
        entries: list[tuple[str | None, bool]] = [(None, "persons" not in table.hidden_totals)]
        entries += [(k, (k, "persons") not in table.hidden) for k in keys]
        values: dict[str | None, int] = {None: table.total_persons, **{r.key: r.persons for r in table.rows}}
        for key, shown in entries:
            vector = np.array([1.0 if _counts(table, key, cell) else 0.0 for cell in grid])
            assert vector @ np.array([cells[c] for c in grid]) == values[key], (table.filters, key)
            (printed if shown else hidden).append(vector)
    assert hidden, "the generated data should have small counts to hide"
    # The small counts of persons to protect: every returns table's rows hidden, each
    # country of origin's three years (a row beyond the top 10), its two years before the
    # year, its year by host region, and each host country's year and its two years before.
    regions = m49_table()
    secrets: dict[str, np.ndarray] = {}
    for origin in {c[0] for c in grid}:
        this = [c[0] == origin and c[3] == str(year) for c in grid]
        before = [c[0] == origin and year - 2 <= int(c[3]) < year for c in grid]
        secrets[f"{origin} {year - 2}–{year - 1}"] = np.array(before, dtype=float)
        secrets[f"{origin} {year - 2}–{year}"] = np.array(before, dtype=float) + np.array(this, dtype=float)
        for region in {regions[c[1]].region if c[1] in regions else "" for c in grid}:
            secrets[f"{origin} from {region or '?'}"] = np.array(
                [
                    t and (regions[c[1]].region if c[1] in regions else "") == region
                    for t, c in zip(this, grid, strict=True)
                ],
                dtype=float,
            )
    for host in {c[1] for c in grid}:
        secrets[f"host {host} {year}"] = np.array(
            [c[1] == host and c[3] == str(year) for c in grid], dtype=float
        )
        secrets[f"host {host} {year - 2}–{year - 1}"] = np.array(
            [c[1] == host and year - 2 <= int(c[3]) < year for c in grid], dtype=float
        )
    for i, vector in enumerate(hidden):
        secrets[f"hidden {i}"] = vector
    counts = np.array([cells[c] for c in grid], dtype=float)
    basis = _row_space(np.array(printed))
    found = {
        name: int(vector @ counts)
        for name, vector in secrets.items()
        if primary(int(vector @ counts), threshold) and _in_span(vector, basis)
    }
    assert found == {}


def _row_space(matrix: np.ndarray) -> np.ndarray:
    _u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    return vt[s > 1e-9 * max(s.max(), 1.0)]


def _in_span(vector: np.ndarray, basis: np.ndarray) -> bool:
    return bool(np.linalg.norm(vector - basis.T @ (basis @ vector)) < 1e-6)


def test_no_small_count_of_those_not_assisted_or_not_monitored_is_printed_by_subtraction(
    generated: None,
) -> None:
    """The assistance and monitoring sections count a part of the year's returns: the year's
    figure less theirs is the count of those not assisted or not monitored — a small one, in
    total or for a country of origin, must not be the difference of two printed figures."""
    donor = User.objects.get(username="donor")
    year = max(int(r.key) for r in exact_breakdown(donor, Filters(START, END), "year").rows)  # type: ignore[union-attr]
    report = annual_report(donor, year, edition=Edition.PUBLIC)
    assert report is not None
    threshold = report.threshold
    sections = {s.key: _table(s) for s in report.sections}
    # The year's figures a reader finds printed: the total, and each country of origin's
    # row in its region's table.
    year_rows: dict[str, int] = {}
    for child in next(s for s in report.sections if s.key == "origin_regions").children:
        table = _table(child)
        year_rows |= {r.key: r.persons for r in table.rows if (r.key, "persons") not in table.hidden}
    found = {}
    for key in ("assistance", "monitoring"):
        part = sections[key]
        if isinstance(report.total_persons, int) and "persons" not in part.hidden_totals:
            left = report.total_persons - part.total_persons
            if primary(left, threshold):
                found[f"not in {key}"] = left
    monitored = sections["monitoring"]
    for row in monitored.rows:
        if (row.key, "persons") not in monitored.hidden and row.key in year_rows:
            left = year_rows[row.key] - row.persons
            if primary(left, threshold):
                found[f"{row.key} not monitored"] = left
    assert found == {}


def test_a_quarterly_report_does_not_give_away_the_months_before_its_quarter(generated: None) -> None:
    """A quarterly package prints the quarter's figures beside the trend, whose row for the
    year counts from January to the quarter's end: that row less the quarter's total (or
    the sum of any of its tables) is the months before the quarter, and a small count of
    them must not be worked out. As the side-by-side test, over a grid of origin × host ×
    programme × stretch of time (the earlier years, the months before, the quarter)."""
    donor = User.objects.get(username="donor")  # every country, the public edition only
    programmes = [r.key for r in exact_breakdown(donor, Filters(START, END), "programme").rows]  # type: ignore[union-attr]
    checked = 0
    # Periods of about a quarter that start a few returns into their year (a package's
    # quarter after a quiet first quarter, with the generated data's few returns).
    year = dt.date.today().year
    for first in (dt.date(year, 1, 2) + dt.timedelta(days=d) for d in range(0, 24, 4)):
        last = first + dt.timedelta(days=89)
        stretches = [(dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in range(year - 5, year)]
        stretches += [(dt.date(year, 1, 1), first - dt.timedelta(days=1)), (first, last)]
        cells: dict[tuple[str, str, str, int], int] = {}
        for i, (start, end) in enumerate(stretches):
            for programme in programmes:
                grid_ = cross_table(
                    donor,
                    Filters(start, end, programmes=(int(programme),)),
                    "origin",
                    "host",
                    edition=Edition.PUBLIC,
                )
                assert grid_ is not None
                for (origin, host), n in grid_.cells.items():
                    cells[(origin, host, programme, i)] = n
        grid = sorted(cells)
        counts = np.array([cells[c] for c in grid], dtype=float)
        before = np.array([c[3] == len(stretches) - 2 for c in grid], dtype=float)
        report = period_report(donor, first, last, edition=Edition.PUBLIC)
        assert report is not None
        if not primary(int(before @ counts), report.threshold):
            continue
        printed = []
        for table in [_table(s) for s in report.sections] + [
            _table(c) for s in report.sections for c in s.children
        ]:
            if table.filters.population != Filters(START, END).population:
                continue  # the assisted, the monitored: fewer returns than the grid's
            span = [
                i
                for i, (start, end) in enumerate(stretches)
                if table.filters.start <= start and end <= table.filters.end
            ]
            entries: list[tuple[str | None, bool]] = [(None, "persons" not in table.hidden_totals)]
            entries += [(r.key, (r.key, "persons") not in table.hidden) for r in table.rows]
            for key, shown in entries:
                if not shown:
                    continue
                vector = np.array(
                    [
                        1.0
                        if c[3] in span
                        and (not table.filters.programmes or int(c[2]) in table.filters.programmes)
                        and (not table.filters.origins or c[0] in table.filters.origins)
                        and (not table.filters.hosts or c[1] in table.filters.hosts)
                        and (key is None or _key_of(table, c, stretches) == key)
                        else 0.0
                        for c in grid
                    ]
                )
                assert int(vector @ counts) == (
                    table.total_persons
                    if key is None
                    else next(r.persons for r in table.rows if r.key == key)
                )
                printed.append(vector)
        assert not _in_span(before, _row_space(np.array(printed))), (first, int(before @ counts))
        checked += 1
    assert checked, "the generated data should have a period after a few returns in its year"


def _key_of(table: Table, cell: tuple[str, str, str, int], stretches: list[tuple[dt.date, dt.date]]) -> str:
    """The row of `table` a cell of the grid counts in."""
    origin, host, programme, i = cell
    regions = m49_table()
    return {
        "origin": origin,
        "host": host,
        "programme": programme,
        "year": str(stretches[i][0].year),
        "origin_region": regions[origin].region if origin in regions else "",
        "host_region": regions[host].region if host in regions else "",
    }[table.dimension.code]
