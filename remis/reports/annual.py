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
from dataclasses import dataclass, field
from typing import Any

from remis.reports.statistics import Filters, Population, Table, breakdown

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


@dataclass
class AnnualReport:
    year: int
    programme: int | None
    total_persons: int | str
    total_cases: int | str
    sections: list[Section]
    as_of: Any


def _count(table: Table, measure: str) -> str:
    """A total in a sentence, formatted for the reader, or "<threshold" when hidden."""
    from django.utils.formats import number_format

    value = table.shown(getattr(table, f"total_{measure}"), measure in table.hidden_totals)
    return value if isinstance(value, str) else number_format(value, force_grouping=True)


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


def _top_by_region(
    actor: Any, period: Filters, programme: int | None, regions: Table, side: str, top: int, prefix: str
) -> list[Section]:
    """For each region row: the top countries of origin of the returns whose origin (side
    "origins") or host country (side "hosts") is in that M49 region."""
    from remis.programmes.regions import m49_table

    sections = []
    for row in regions.rows:
        countries = tuple(code for code, r in m49_table().items() if r.region == row.key)
        if not countries:
            continue
        within = _filters(period.start, period.end, programme, **{side: countries})
        table = breakdown(actor, within, "origin", top=top)
        assert table is not None
        sections.append(Section(f"{prefix}_{row.key}", row.label, "", _bars(table), table=table))
    return sections


def annual_report(actor: Any, year: int, programme: int | None = None) -> AnnualReport | None:
    """None when the actor counts nothing."""
    from django.utils.translation import gettext as _

    in_year = _filters(dt.date(year, 1, 1), dt.date(year, 12, 31), programme)
    three_years = _filters(dt.date(year - 2, 1, 1), dt.date(year, 12, 31), programme)
    trend_years = _filters(dt.date(year - TREND_YEARS + 1, 1, 1), dt.date(year, 12, 31), programme)
    total = breakdown(actor, in_year, "origin")
    if total is None:
        return None
    sections: list[Section] = []
    trend = breakdown(actor, trend_years, "year")
    assert trend is not None
    sections.append(
        Section(
            "trend",
            _("Persons assisted to return, %(first)s–%(last)s")
            % {"first": year - TREND_YEARS + 1, "last": year},
            _("Each return counts in the year of its arrival."),
            _bars(trend),
            table=trend,
        )
    )
    for code, title in (
        ("host", _("Top %(n)s host countries, %(first)s–%(last)s")),
        ("origin", _("Top %(n)s countries of origin, %(first)s–%(last)s")),
    ):
        table = breakdown(actor, three_years, code, top=TOP)
        assert table is not None
        sections.append(
            Section(code, title % {"n": TOP, "first": year - 2, "last": year}, "", _bars(table), table=table)
        )
    regions = breakdown(actor, in_year, "origin_region")
    assert regions is not None
    by_region = Section(
        "origin_regions",
        _("Returns by region of origin, %(year)s") % {"year": year},
        _("Each region with its top %(n)s countries of origin (UN M49 regions).") % {"n": REGION_TOP},
        _bars(regions),
        table=regions,
    )
    by_region.children = _top_by_region(
        actor, in_year, programme, regions, "origins", REGION_TOP, "origin_region"
    )
    sections.append(by_region)
    hosts = breakdown(actor, in_year, "host_region")
    assert hosts is not None
    from_hosts = Section(
        "host_regions",
        _("Top %(n)s countries of origin from each host region, %(year)s") % {"n": TOP, "year": year},
        "",
        _bars(hosts),
        table=hosts,
    )
    from_hosts.children = _top_by_region(actor, in_year, programme, hosts, "hosts", TOP, "host_region")
    sections.append(from_hosts)
    programmes = breakdown(actor, in_year, "programme")
    assert programmes is not None
    by_programme = Section(
        "programmes",
        _("Each programme's returns by host country, %(year)s") % {"year": year},
        "",
        _bars(programmes),
        table=programmes,
    )
    for row in programmes.rows:
        if not row.key.isdigit():
            continue
        hosts_of = breakdown(actor, _filters(in_year.start, in_year.end, int(row.key)), "host")
        assert hosts_of is not None
        by_programme.children.append(
            Section(f"programme_{row.key}", row.label, "", _bars(hosts_of), table=hosts_of)
        )
    sections.append(by_programme)
    assisted = breakdown(
        actor, _filters(in_year.start, in_year.end, programme, population=Population.ASSISTED), "assistance"
    )
    monitored = breakdown(
        actor,
        _filters(in_year.start, in_year.end, programme, population=Population.MONITORED),
        "origin",
        top=TOP,
    )
    assert assisted is not None and monitored is not None
    sections.append(
        Section(
            "assistance",
            _("Reintegration assistance received by those who returned in %(year)s") % {"year": year},
            _(
                "%(persons)s persons in %(cases)s cases received reintegration assistance (an item of "
                "their plan in progress or delivered); a case counts under each type it received."
            )
            % {"persons": _count(assisted, "persons"), "cases": _count(assisted, "cases")},
            _bars(assisted),
            table=assisted,
        )
    )
    sections.append(
        Section(
            "monitoring",
            _("Monitored after return, of those who returned in %(year)s") % {"year": year},
            _(
                "%(persons)s persons in %(cases)s cases had at least one follow-up visit; the top %(n)s "
                "countries of origin."
            )
            % {"persons": _count(monitored, "persons"), "cases": _count(monitored, "cases"), "n": TOP},
            _bars(monitored),
            table=monitored,
        )
    )
    return AnnualReport(
        year,
        programme,
        total.shown(total.total_persons, "persons" in total.hidden_totals),
        total.shown(total.total_cases, "cases" in total.hidden_totals),
        sections,
        total.as_of,
    )
