"""The annual report: the figures an AVRR programme's yearly report prints (the 2010 AVRR
annual report's layout, seeds/avrr-annual-report-2010.txt), for a year and optionally one
programme, within what the reader may count.

Its figures: the year's total and the trend over the years before it; the top 10 host
countries and countries of origin over the three years ending with it; returns by region of
origin, each region with its top countries; for each host region, the top countries of
origin of the returns from it; each programme's returns by host country; persons who
received reintegration assistance, by type; persons monitored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from remis.reports.editions import TOTAL, Publication, Ref
from remis.reports.statistics import (
    Edition,
    Filters,
    Population,
    Row,
    Table,
    edition_for,
    edition_threshold,
    exact_breakdown,
)

TOP = 10
TREND_YEARS = 6
REGION_TOP = 5


@dataclass
class Bar:
    """A row drawn as a bar (its share of the largest row, for the SVG charts)."""

    label: str
    persons: int | str  # "<threshold" when hidden
    cases: int | str
    width: float  # 0–100; 0 when hidden (a bar's length would give the count away)

    @property
    def rtl_x(self) -> float:
        """Where the bar starts when drawn from the right (right-to-left pages)."""
        return 100.0 - self.width


@dataclass
class Section:
    key: str
    title: str
    note: str
    bars: list[Bar]
    children: list[Section] = field(default_factory=list)
    table: Table | None = None

    @property
    def query(self) -> str:
        """The return statistics page's query showing this table with its definition and
        downloads; "" when its filters cannot be written in that form (a region's list of
        countries)."""
        return statistics_query(self.table) if self.table is not None else ""


def statistics_query(table: Table) -> str:
    from urllib.parse import urlencode

    filters = table.filters
    if len(filters.hosts) > 1 or len(filters.origins) > 1 or len(filters.programmes) > 1:
        return ""
    params: dict[str, Any] = {
        "period": "range",
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
        "population": filters.population,
        "by": table.dimension.code,
        "edition": table.edition,
    }
    for name, values in (
        ("programme", filters.programmes),
        ("host", filters.hosts),
        ("origin", filters.origins),
    ):
        if values:
            params[name] = values[0]
    if table.top:
        params["top"] = table.top
    return urlencode(params)


@dataclass
class AnnualReport:
    year: int
    programme: int | None
    total_persons: int | str
    total_cases: int | str
    sections: list[Section]
    as_of: Any
    edition: str
    threshold: int  # counts from 1 to threshold − 1 hidden (public edition); 0: exact


def _count(table: Table, measure: str) -> str:
    """A total in a sentence, formatted for the reader, or "<threshold" when hidden."""
    from django.utils.formats import number_format

    from remis.lib.bidi import left_to_right

    value = table.shown(getattr(table, f"total_{measure}"), measure in table.hidden_totals)
    return left_to_right(value) if isinstance(value, str) else number_format(value, force_grouping=True)


def _counted(table: Table, measure: str) -> str:
    """ "12 people", "3 cases", "<5 cases": a total with its noun, in the plural form its
    number takes in the reader's language (Arabic has six). A hidden total takes the form
    of a count of the threshold, whatever it hides."""
    from django.utils.translation import ngettext

    total = getattr(table, f"total_{measure}")
    count = table.threshold if measure in table.hidden_totals or not isinstance(total, int) else total
    text = _count(table, measure)
    if measure == "persons":
        return ngettext("%(n)s person", "%(n)s people", count) % {"n": text}
    return ngettext("%(n)s case", "%(n)s cases", count) % {"n": text}


def _bars(table: Table) -> list[Bar]:
    shown = [r for r in table.rows if (r.key, "persons") not in table.hidden]
    largest = max((r.persons for r in shown), default=0) or 1
    return [
        Bar(
            r.label,
            table.shown(r.persons, (r.key, "persons") in table.hidden),
            table.shown(r.cases, (r.key, "cases") in table.hidden),
            0.0 if (r.key, "persons") in table.hidden else round(100 * r.persons / largest, 1),
        )
        for r in table.rows
    ]


def _filters(first: dt.date, last: dt.date, programme: int | None, **more: Any) -> Filters:
    return Filters(first, last, programmes=(programme,) if programme else (), **more)


def _within(period: Filters, side: str, countries: tuple[str, ...]) -> Filters:
    """The period's returns whose origin (side "origins") or host (side "hosts") is one of
    `countries`, within the countries the period is already limited to on that side."""
    already: tuple[str, ...] = getattr(period, side)
    kept = tuple(c for c in countries if not already or c in already)
    return replace(period, origins=kept) if side == "origins" else replace(period, hosts=kept)


def _by_region(
    actor: Any,
    publication: Publication,
    period: Filters,
    programme: int | None,
    regions: Table,
    side: str,
    top: int,
) -> list[tuple[str, str, Table]]:
    """For each region row: the table of the top countries of origin of the returns whose
    origin (side "origins") or host country (side "hosts") is in that M49 region; its
    totals are that region's row."""
    from remis.programmes.regions import m49_table

    found = []
    for row in regions.rows:
        countries = tuple(code for code, r in m49_table().items() if r.region == row.key)
        within = _within(period, side, countries)
        if not getattr(within, side):
            continue
        table = exact_breakdown(
            actor, within, "origin", top=top, public=publication.edition == Edition.PUBLIC
        )
        assert table is not None
        publication.add(table)
        publication.same_as_row(table, regions, row.key)
        found.append((row.key, row.label, table))
    return found


Children = list[tuple[str, str, Table]]


def _link_across(
    publication: Publication,
    year: int,
    trend: Table,
    origins: tuple[Table, Table, Children, Table, Children],
    hosts: tuple[Table, Table, Table, Table, Children],
) -> None:
    """Tell the hiding what a reader learns by setting the report's tables side by side:
    each is a view of one grid of returns (origin × host × programme × year), so a country's
    row in one table, less its rows in others, is a count too (its two years before the
    year, its returns from the host regions without a table of their own). Those counts
    become named unknowns of the same equations, and a small one stays hidden
    (tests/test_editions: an independent check over the grid)."""
    from remis.programmes.regions import m49_table

    three_year_origins, year_origins, region_tables, host_regions, host_region_tables = origins
    three_year_hosts, year_hosts, _regions, programmes, programme_tables = hosts
    # The three years are the trend's last three rows (the year's own row is its total).
    last_three = [(trend, str(y)) for y in range(year - 2, year + 1)]
    publication.adds_up((three_year_origins, TOTAL), last_three)
    for table, key in ((three_year_origins, "origin"), (three_year_hosts, "host")):
        of_year = year_origins if key == "origin" else year_hosts
        for code in {r.key for r in table.rows} | {r.key for r in of_year.rows}:
            publication.remainder(f"{key} {code} before", (table, code), [(of_year, code)])
    # A region's table of countries of origin repeats those countries' rows of the year.
    for _key, _label, table in region_tables:
        for row in table.rows:
            publication.adds_up((table, row.key), [(year_origins, row.key)])
    # A host country's year is the sum of its host region's... and of its programmes' rows.
    regions = m49_table()
    for row in host_regions.rows:
        members = [
            (year_hosts, r.key)
            for r in year_hosts.rows
            if r.key in regions and regions[r.key].region == row.key
        ]
        if members:
            publication.adds_up((host_regions, row.key), members)
    _two_way(publication, "from host region", year_origins, host_regions, host_region_tables)
    _two_way(publication, "in programme", year_hosts, programmes, programme_tables)


def _two_way(publication: Publication, name: str, margin: Table, columns: Table, children: Children) -> None:
    """A two-way table printed column by column: `children` are the columns with a table of
    their own (a host region's countries of origin), keyed as `columns`' rows, whose totals
    they are; `margin` is each row's whole (a country of origin's year). What a row holds
    beyond its printed columns is a remainder, and the remainders add up to the columns
    without a table (the returns from an unknown host region)."""
    with_table = {key for key, _label, _table in children}
    without = [(columns, r.key) for r in columns.rows if r.key not in with_table]
    rest = []
    for row in margin.rows:
        printed: list[Ref] = [(table, row.key) for _key, _label, table in children]
        if without:
            rest.append(
                publication.remainder(f"{row.key} {name} without a table", (margin, row.key), printed)
            )
        else:  # every column has its table: the row is their sum
            publication.adds_up((margin, row.key), printed)
    if without:
        publication.adds_up(publication.count(f"{name}: columns without a table", without), rest)


def _link_parts(publication: Publication, year: Table, assisted: Table, monitored: Table) -> None:
    """The assisted and the monitored are some of the year's returns: the year's figure less
    theirs counts those not assisted or not monitored (in all, and for each country of
    origin the monitored table prints), a count no table prints but any reader subtracts
    out, so a small one stays hidden."""
    publication.remainder("not assisted", (year, TOTAL), [(assisted, TOTAL)])
    publication.remainder("not monitored", (year, TOTAL), [(monitored, TOTAL)])
    for row in monitored.rows:
        publication.remainder(f"origin {row.key} not monitored", (year, row.key), [(monitored, row.key)])


def annual_report(
    actor: Any, year: int, programme: int | None = None, edition: str | None = None
) -> AnnualReport | None:
    """The report for a calendar year; see `period_report`."""
    return period_report(actor, dt.date(year, 1, 1), dt.date(year, 12, 31), programme, edition=edition)


def period_report(
    actor: Any,
    first: dt.date,
    last: dt.date,
    programme: int | None = None,
    origin: str = "",
    edition: str | None = None,
    label: str = "",
) -> AnnualReport | None:
    """The annual report's figures for the returns from `first` to `last` (a year, or a
    quarter for a quarterly package), of one programme and one country of origin if given;
    the trend and the three-year tops end with `last`. `label` names the period in titles
    (the year by default). None when the actor counts nothing. Raises EditionRefused
    (statistics.edition_for). Every table is read exact, then the edition's hiding runs
    over all of them at once (editions.py): the report's tables share totals and rows."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    chosen = edition_for(actor, edition)
    year = last.year
    origins = {"origins": (origin,)} if origin else {}
    in_year = _filters(first, last, programme, **origins)
    three_years = _filters(dt.date(year - 2, 1, 1), last, programme, **origins)
    trend_years = _filters(dt.date(year - TREND_YEARS + 1, 1, 1), last, programme, **origins)
    label = label or str(year)
    # The trend and the tops end with the period: say so when it ends before December.
    through = str(year) if (last.month, last.day) == (12, 31) else date_format(last, "F Y")
    publication = Publication(chosen, edition_threshold(chosen, in_year))

    def read(filters: Filters, code: str, top: int | None = None) -> Table:
        table = exact_breakdown(actor, filters, code, top=top, public=chosen == Edition.PUBLIC)
        assert table is not None  # the reader's scope was checked with the first table
        return publication.add(table)

    total = exact_breakdown(actor, in_year, "origin", public=chosen == Edition.PUBLIC)
    if total is None:
        return None
    publication.add(total, rows_shown=False)  # only its totals are printed
    trend = read(trend_years, "year")
    # Every year the heading names, a year without returns as 0 (the heading said 2021–2026
    # over two rows); a known zero hides nothing.
    counted = {row.key for row in trend.rows}
    years = [str(y) for y in range(year - TREND_YEARS + 1, year + 1)]
    trend.rows = sorted(
        [*trend.rows, *(Row(y, y, 0, 0) for y in years if y not in counted)], key=lambda row: row.key
    )
    publication.same_as_row(total, trend, str(year))
    top_hosts = read(three_years, "host", TOP)
    top_origins = read(three_years, "origin", TOP)
    regions = read(in_year, "origin_region")
    region_tables = _by_region(actor, publication, in_year, programme, regions, "origins", REGION_TOP)
    hosts = read(in_year, "host_region")
    host_tables = _by_region(actor, publication, in_year, programme, hosts, "hosts", TOP)
    programmes = read(in_year, "programme")
    programme_tables = []
    for row in programmes.rows:
        if row.key.isdigit():
            hosts_of = read(replace(in_year, programmes=(int(row.key),)), "host")
            publication.same_as_row(hosts_of, programmes, row.key)
            programme_tables.append((row.key, row.label, hosts_of))
    assisted = read(replace(in_year, population=Population.ASSISTED), "assistance")
    monitored = read(replace(in_year, population=Population.MONITORED), "origin", TOP)
    in_year_hosts = exact_breakdown(actor, in_year, "host", public=chosen == Edition.PUBLIC)
    assert in_year_hosts is not None
    publication.add(in_year_hosts, rows_shown=False)  # printed nowhere, but the sum of printed rows
    _link_across(
        publication,
        year,
        trend,
        (top_origins, total, region_tables, hosts, host_tables),
        (top_hosts, in_year_hosts, hosts, programmes, programme_tables),
    )
    _link_parts(publication, total, assisted, monitored)
    publication.publish()

    def section(key: str, title: str, note: str, table: Table) -> Section:
        return Section(key, title, note, _bars(table), table=table)

    by_region = section(
        "origin_regions",
        _("Returns by region of origin, %(year)s") % {"year": label},
        _("Each region with its top %(n)s countries of origin (UN M49 regions).") % {"n": REGION_TOP},
        regions,
    )
    by_region.children = [section(f"origin_region_{k}", label, "", t) for k, label, t in region_tables]
    from_hosts = section(
        "host_regions",
        _("Top %(n)s countries of origin from each host region, %(year)s") % {"n": TOP, "year": label},
        "",
        hosts,
    )
    from_hosts.children = [section(f"host_region_{k}", label, "", t) for k, label, t in host_tables]
    by_programme = section(
        "programmes",
        _("Each programme's returns by host country, %(year)s") % {"year": label},
        "",
        programmes,
    )
    by_programme.children = [section(f"programme_{k}", label, "", t) for k, label, t in programme_tables]
    top_title = {
        "host": _("Top %(n)s host countries, %(first)s–%(last)s"),
        "origin": _("Top %(n)s countries of origin, %(first)s–%(last)s"),
    }
    sections = [
        section(
            "trend",
            _("Persons assisted to return, %(first)s–%(last)s")
            % {"first": year - TREND_YEARS + 1, "last": through},
            _("Each return counts in the year of its arrival."),
            trend,
        ),
        *(
            section(code, top_title[code] % {"n": TOP, "first": year - 2, "last": through}, "", table)
            for code, table in (("host", top_hosts), ("origin", top_origins))
        ),
        by_region,
        from_hosts,
        by_programme,
        section(
            "assistance",
            _("Reintegration assistance received by those who returned in %(year)s") % {"year": label},
            _(
                "%(persons)s in %(cases)s received reintegration assistance (an item of their plan in "
                "progress or delivered); a case counts under each type it received."
            )
            % {"persons": _counted(assisted, "persons"), "cases": _counted(assisted, "cases")},
            assisted,
        ),
        section(
            "monitoring",
            _("Monitored after return, of those who returned in %(year)s") % {"year": label},
            _("%(persons)s in %(cases)s had at least one follow-up visit; the top %(n)s countries of origin.")
            % {"persons": _counted(monitored, "persons"), "cases": _counted(monitored, "cases"), "n": TOP},
            monitored,
        ),
    ]
    return AnnualReport(
        year,
        programme,
        total.shown(total.total_persons, "persons" in total.hidden_totals),
        total.shown(total.total_cases, "cases" in total.hidden_totals),
        sections,
        total.as_of,
        chosen,
        publication.threshold,
    )
