"""The return statistics as HXL tables: a header row people read, then a row of HXL
hashtags (the Humanitarian Exchange Language, hxlstandard.org), then the data, for
humanitarian data exchange (HDX and the tools that read HXL).

Always the public edition: HXL tables are made to be passed on, so small counts are hidden
exactly as the public edition hides them ("<5", "x"), whoever downloads them; a breakdown
by a sensitive group (vulnerability) has no HXL table.

Choices, from the HXL 1.1 hashtag dictionary and the way HDX reads tags (its HAPI
pipelines: `#affected`, `+returnees`, `+f`/`+m`, `+age0_4`, `+age60plus`):

* Counts: persons `#affected+returnees+ind`, households (cases) `#affected+returnees+hh`;
  those who received reintegration assistance `#reached+returnees+…`, those monitored
  `#reached+returnees+monitored+…`.
* Countries: `#country+code` holds ISO 3166-1 alpha-3 (as HDX expects; Kosovo XKX), beside
  `#country+name`; `+origin` marks the country of origin, `+host` the host country.
  Regions: `#region+name` (UN M49), `+sub` for sub-regions.
* Programme: `#activity` (HXL: a programme, project or other activity), `+code` and
  `+name`. Assistance type: `#sector`. Migrant category and return type: `#group` with
  `+category` / `+return_type`. Year `#date+year` (2025), month `#date+month` (2025-03,
  ISO 8601).
* Sex and age are disaggregation attributes on the counts, never a column of their own
  (HXL has no core hashtag for them): a breakdown by sex is one row with a column per sex
  (`+f`, `+m`, `+x` other, `+u` not recorded), by age group a column per group
  (`+age0_4` … `+age60plus`); in a cross-table they become the columns.
* Long format otherwise: one row per row key (or per cell of a cross-table, zero cells
  left out), and no total row, which a tool summing a column would count twice; the XLSX's
  definition sheet gives the totals as the public table shows them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from remis.lib.countries import alpha3
from remis.lib.spreadsheet import in_reading_direction, neutralised, xlsx_row
from remis.reports.statistics import UNKNOWN, Edition, Population, Table

SADD = frozenset({"sex", "age_group"})
_SEX = {"F": "+f", "M": "+m", "X": "+x", "U": "+u"}


@dataclass
class HxlTable:
    header: list[str]
    tags: list[str]
    rows: list[list[Any]]


def count_tag(population: str, unit: str) -> str:
    """`unit`: "ind" (persons) or "hh" (households)."""
    if population == Population.ASSISTED:
        return f"#reached+returnees+{unit}"
    if population == Population.MONITORED:
        return f"#reached+returnees+monitored+{unit}"
    return f"#affected+returnees+{unit}"


def sadd_attribute(code: str, key: str) -> str:
    """The HXL attribute of a sex or an age group: +f, +age0_4, +age60plus."""
    if code == "sex":
        return _SEX.get(key, "+unknown_sex")
    if key == UNKNOWN:
        return "+unknown_age"
    low, _sep, high = key.partition("-")
    return f"+age{low.rstrip('+')}plus" if key.endswith("+") else f"+age{low}_{high}"


def _key_columns(code: str) -> tuple[list[str], list[str], Callable[[str, str], list[Any]]]:
    """Headers, tags and a function (key, label) -> cells for a dimension naming rows."""
    from remis.assistance.models import AssistanceType
    from remis.programmes.models import Programme

    def country(key: str, label: str) -> list[Any]:
        return [label, "" if key == UNKNOWN else alpha3(key)]

    def named(key: str, label: str) -> list[Any]:
        return [label]

    def coded(codes: dict[str, str]) -> Callable[[str, str], list[Any]]:
        return lambda key, label: [codes.get(key, "") if key != UNKNOWN else "", label]

    side = {"origin": "+origin", "host": "+host"}
    if code in side:
        name = _("Country of origin") if code == "origin" else _("Host country")
        return (
            [name, _("ISO 3166-1 alpha-3")],
            [f"#country+name{side[code]}", f"#country+code{side[code]}"],
            country,
        )
    if code in ("origin_region", "host_region", "origin_sub_region", "host_sub_region"):
        where = "+origin" if code.startswith("origin") else "+host"
        sub = "+sub" if "sub_region" in code else ""
        return [_("Region")], [f"#region+name{sub}{where}"], named
    if code == "programme":
        codes = {str(pk): c for pk, c in Programme.objects.values_list("pk", "code")}
        return [_("Programme code"), _("Programme")], ["#activity+code", "#activity+name"], coded(codes)
    if code == "assistance":
        codes = {str(pk): c for pk, c in AssistanceType.objects.values_list("pk", "code")}
        return (
            [_("Code"), _("Reintegration assistance received")],
            ["#sector+code", "#sector+name"],
            coded(codes),
        )
    if code == "category":
        return [_("Migrant category")], ["#group+category+name"], named
    if code == "return_type":
        return (
            [_("Code"), _("Return type")],
            ["#group+return_type+code", "#group+return_type+name"],
            lambda key, label: ["" if key == UNKNOWN else key, label],
        )
    if code == "year":
        return [_("Year of return")], ["#date+year"], lambda key, label: [key if key != UNKNOWN else ""]
    if code == "month":
        return [_("Month of return")], ["#date+month"], lambda key, label: [key if key != UNKNOWN else ""]
    raise ValueError(f"no HXL columns for {code!r}")  # vulnerability: never public


def hxl_table(table: Table) -> HxlTable:
    """The public table in HXL's shape (see the module's docstring). The table must be
    the public edition: HXL tables are for exchange."""
    if table.edition != Edition.PUBLIC:
        raise ValueError("HXL tables are the public edition")
    persons = count_tag(table.filters.population, "ind")
    households = count_tag(table.filters.population, "hh")
    show = table.shown
    code = table.dimension.code
    if not table.columns:
        total = [
            show(table.total_persons, "persons" in table.hidden_totals),
            show(table.total_cases, "cases" in table.hidden_totals),
        ]
        if code in SADD:  # one row: a column per sex or age group
            return HxlTable(
                [*(r.label for r in table.rows), _("Total persons"), _("Total cases (households)")],
                [*(persons + sadd_attribute(code, r.key) for r in table.rows), persons, households],
                [[*(show(r.persons, (r.key, "persons") in table.hidden) for r in table.rows), *total]],
            )
        header, tags, cells = _key_columns(code)
        return HxlTable(
            [*header, _("Persons"), _("Cases (households)")],
            [*tags, persons, households],
            [
                [
                    *cells(r.key, r.label),
                    show(r.persons, (r.key, "persons") in table.hidden),
                    show(r.cases, (r.key, "cases") in table.hidden),
                ]
                for r in table.rows
            ],
        )
    return _cross(table, persons)


def _cross(table: Table, persons: str) -> HxlTable:
    assert table.column_dimension is not None
    show = table.shown
    rows_code, columns_code = table.dimension.code, table.column_dimension.code
    row_items = [(r.key, r.label) for r in table.rows]

    def cell(row: str, column: str) -> int | str:
        return show(table.cells.get((row, column), 0), (row, column) in table.hidden_cells)

    def row_total(key: str) -> int | str:
        found = next(r for r in table.rows if r.key == key)
        return show(found.persons, (key, "persons") in table.hidden)

    def column_total(key: str) -> int | str:
        value = sum(n for (_r, c), n in table.cells.items() if c == key)
        return show(value, ("column", key) in table.hidden_totals)

    grand = show(table.total_persons, "persons" in table.hidden_totals)
    if rows_code in SADD and columns_code in SADD:  # one row: a column per (sex, age group)
        pairs = [(r, c) for r in row_items for c in table.columns]
        return HxlTable(
            [*(f"{r[1]}, {c[1]}" for r, c in pairs), _("Total persons")],
            [
                *(
                    persons + sadd_attribute(rows_code, r[0]) + sadd_attribute(columns_code, c[0])
                    for r, c in pairs
                ),
                persons,
            ],
            [[*(cell(r[0], c[0]) for r, c in pairs), grand]],
        )
    if columns_code in SADD or rows_code in SADD:
        # The other dimension names the rows; the sex or age group makes the columns.
        transposed = rows_code in SADD
        keyed_code, sadd_code = (columns_code, rows_code) if transposed else (rows_code, columns_code)
        keyed, sadd = (table.columns, row_items) if transposed else (row_items, table.columns)
        header, tags, cells = _key_columns(keyed_code)
        return HxlTable(
            [*header, *(label for _k, label in sadd), _("Total persons")],
            [*tags, *(persons + sadd_attribute(sadd_code, k) for k, _label in sadd), persons],
            [
                [
                    *cells(key, label),
                    *(cell(s, key) if transposed else cell(key, s) for s, _l in sadd),
                    column_total(key) if transposed else row_total(key),
                ]
                for key, label in keyed
            ],
        )
    row_header, row_tags, row_cells = _key_columns(rows_code)
    column_header, column_tags, column_cells = _key_columns(columns_code)
    return HxlTable(
        [*row_header, *column_header, _("Persons")],
        [*row_tags, *column_tags, persons],
        [
            [*row_cells(rk, rl), *column_cells(ck, cl), cell(rk, ck)]
            for rk, rl in row_items
            for ck, cl in table.columns
            if table.cells.get((rk, ck), 0)
        ],
    )


def as_csv(table: Table) -> bytes:
    found = hxl_table(table)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(neutralised(found.header))
    writer.writerow(found.tags)
    writer.writerows(neutralised(row) for row in found.rows)
    return ("\ufeff" + out.getvalue()).encode()  # a BOM: spreadsheet programs then read UTF-8


def as_xlsx(table: Table, definition: list[tuple[str, str]]) -> bytes:
    """The HXL table on the first sheet (where HXL tools read), its definition on the second."""
    from openpyxl import Workbook

    found = hxl_table(table)
    book = Workbook(write_only=True)
    sheet = in_reading_direction(book.create_sheet("HXL"))
    sheet.append(xlsx_row(sheet, found.header))
    sheet.append(found.tags)
    for row in found.rows:
        sheet.append(xlsx_row(sheet, row))
    about = in_reading_direction(book.create_sheet(_("Definition")[:31]))
    for name, value in definition:
        about.append(xlsx_row(about, [name, value]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
