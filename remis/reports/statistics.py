"""Return statistics: persons and cases (households) assisted to return, broken down by one
dimension or crossed by two, for a period and filters, within what the reader may count.

Every figure is read from the analytics path (analytics.py). Definitions, as the report
pages state them:

* A return counts in the period of its arrival (its departure when the arrival date is not
  known); a case counts as returned once it reached "returned" on the journey (a closed case
  by the stage it was closed from). Age is age at arrival, in completed years.
* Persons are the individuals a case covers (principal applicant and household members);
  cases are households. A case counts once in a row when any person it covers is in the
  row (a household with a woman and a man counts once under each sex), so case rows of a
  breakdown by a person's attribute can add up to more than the total.
* A reader counts the cases their organisations have access to within the countries of
  their memberships, and the cases of the programmes their organisations fund (donors), for
  each membership whose role holds `stats.view`.
* Two editions: the confidential one (exact counts) for those who read case records, and
  the public one (small counts hidden under the strictest threshold of the programmes a
  figure spans, with as many more as it takes for none to be worked out; no breakdown by a
  sensitive field group) for everyone else and for anything to be shared beyond them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from remis.accounts.permissions import Perm
from remis.accounts.scope import grants_with
from remis.reports import analytics

# Age groups at arrival, as IOM's AVRR statistics group them.
AGE_GROUPS: tuple[tuple[int, int | None], ...] = (
    (0, 4),
    (5, 11),
    (12, 17),
    (18, 24),
    (25, 34),
    (35, 49),
    (50, 59),
    (60, None),
)
UNKNOWN = "?"  # the key of "not known" in every breakdown
EARLIEST_YEAR = 1990  # the first year a report, a package or an indicator is asked for


class Population:
    """Whom a table counts: every returnee, or those who received reintegration assistance
    (an item of their plan in force in progress or delivered), or those monitored (a
    follow-up visit recorded)."""

    RETURNED = "returned"
    ASSISTED = "assisted"
    MONITORED = "monitored"
    CHOICES = (
        (RETURNED, gettext_lazy("Persons assisted to return")),
        (ASSISTED, gettext_lazy("Persons who received reintegration assistance")),
        (MONITORED, gettext_lazy("Persons monitored after return")),
    )


class Edition:
    """Which figures a table shows: exact counts (confidential), or with small counts
    hidden (public: what may leave the programme)."""

    CONFIDENTIAL = "confidential"
    PUBLIC = "public"
    CHOICES = (
        (CONFIDENTIAL, gettext_lazy("Confidential edition: exact counts")),
        (PUBLIC, gettext_lazy("Public edition: small counts hidden")),
    )


# Breakdowns by a sensitive field group (lib/policy): not in the public edition.
CONFIDENTIAL_ONLY = frozenset({"vulnerability"})


def confidential_only(code: str) -> str:
    """Why a breakdown is refused in the public edition."""
    return _("A breakdown by %(dimension)s is in the confidential edition only.") % {
        "dimension": str(DIMENSIONS[code].label).lower()
    }


class EditionRefused(Exception):
    """The confidential edition asked by someone who may not read it."""


def may_read_confidential(actor: Any) -> bool:
    """The confidential edition is for those who read case records."""
    return bool(grants_with(actor, Perm.CASE_VIEW))


def edition_for(actor: Any, asked: str | None = None) -> str:
    """The edition a reader gets: the one asked, else the most detailed they may read.
    Raises EditionRefused for the confidential edition asked by another reader."""
    if asked == Edition.PUBLIC:
        return Edition.PUBLIC
    if may_read_confidential(actor):
        return Edition.CONFIDENTIAL
    if asked == Edition.CONFIDENTIAL:
        raise EditionRefused
    return Edition.PUBLIC


@dataclass(frozen=True)
class Dimension:
    code: str
    label: str | Promise
    key: str  # the DuckDB expression naming a row (over persons p, or the joined table)
    join: str = ""  # a table joined on the case, for many-valued dimensions
    person_level: bool = False  # an attribute of each person, not of the case
    join_sql: str = ""  # the join as one reader's breakdown writes it (`dimension_for`)


def _age_group_sql() -> str:
    parts = []
    for low, high in AGE_GROUPS:
        name = f"{low}+" if high is None else f"{low}-{high}"
        bound = f"p.age >= {low}" if high is None else f"p.age BETWEEN {low} AND {high}"
        parts.append(f"WHEN {bound} THEN '{name}'")
    return f"CASE {' '.join(parts)} ELSE '{UNKNOWN}' END"


DIMENSIONS: dict[str, Dimension] = {
    d.code: d
    for d in (
        Dimension("origin", gettext_lazy("Country of origin"), "p.origin"),
        Dimension("host", gettext_lazy("Host country"), "p.host"),
        Dimension("origin_region", gettext_lazy("Region of origin"), "ro.region", "regions ro"),
        Dimension("origin_sub_region", gettext_lazy("Sub-region of origin"), "ro.sub_region", "regions ro"),
        Dimension("host_region", gettext_lazy("Host region"), "rh.region", "regions rh"),
        Dimension("host_sub_region", gettext_lazy("Host sub-region"), "rh.sub_region", "regions rh"),
        Dimension("programme", gettext_lazy("Programme"), "CAST(p.programme_id AS VARCHAR)"),
        Dimension("category", gettext_lazy("Migrant category"), "CAST(p.category_id AS VARCHAR)"),
        Dimension("sex", gettext_lazy("Sex"), "p.sex", person_level=True),
        Dimension("age_group", gettext_lazy("Age group at arrival"), _age_group_sql(), person_level=True),
        Dimension(
            "vulnerability",
            gettext_lazy("Vulnerability"),
            "CAST(v.vulnerability_id AS VARCHAR)",
            "vulnerabilities v",
        ),
        Dimension("return_type", gettext_lazy("Return type"), "p.return_type"),
        Dimension(
            "assistance",
            gettext_lazy("Reintegration assistance received"),
            "CAST(a.kind_id AS VARCHAR)",
            "assistance a",
        ),
        Dimension("year", gettext_lazy("Year of return"), "CAST(year(p.period_day) AS VARCHAR)"),
        Dimension("month", gettext_lazy("Month of return"), "strftime(p.period_day, '%Y-%m')"),
    )
}
_JOINS = {
    "regions ro": "LEFT JOIN regions ro ON ro.country = p.origin",
    "regions rh": "LEFT JOIN regions rh ON rh.country = p.host",
    "vulnerabilities v": "JOIN vulnerabilities v ON v.case_id = p.case_id",
    "assistance a": "JOIN assistance a ON a.case_id = p.case_id",
}
_MULTI = {"vulnerabilities v", "assistance a"}  # many rows per case: the totals come apart

RESTRICTED = "restricted"  # the key of the items of sensitive groups a reader does not hold
# Dimensions whose items are configuration items naming a sensitive group: the column read,
# and for a many-valued one its table and the columns kept.
_SENSITIVE: dict[str, tuple[str, str, str]] = {
    "category": ("p.category_id", "", ""),
    "vulnerability": ("vulnerability_id", "vulnerabilities", "case_id"),
    "assistance": ("kind_id", "assistance", "case_id, route"),
}


def _item_models() -> dict[str, Any]:
    """The dimensions whose keys are configuration items, and their models."""
    from remis.assistance.models import AssistanceType
    from remis.programmes.models import MigrantCategory, Vulnerability

    return {"category": MigrantCategory, "vulnerability": Vulnerability, "assistance": AssistanceType}


def _sensitive_items(code: str) -> list[tuple[int, str]]:
    """(pk, sensitive group) of the dimension's items that are in a group."""
    model = _item_models()[code]
    return list(model.objects.exclude(sensitive_group="").values_list("pk", "sensitive_group"))


def masked_key(actor: Any, code: str, column: str, public: bool = False) -> str | None:
    """SQL reading `column` (the id of one of the dimension's items: a category, a
    vulnerability, an assistance type) as this reader may break figures down by it: the
    items of a sensitive group the reader does not hold read as "Restricted". None: the
    reader holds every group the dimension's items are in. `public`: for the public edition,
    whose tables (and HXL files) are the same whoever reads them: every such item is hidden."""
    from remis.cases.policy import category_stand_in, groups_everywhere

    held = frozenset() if public else groups_everywhere(actor)
    hidden = sorted(pk for pk, group in _sensitive_items(code) if group not in held)
    if not hidden:
        return None
    ids = ", ".join(str(int(pk)) for pk in hidden)
    instead = RESTRICTED
    if code == "category" and (stand_in := category_stand_in()) is not None:
        # Counted with the category it reads as on the case pages: a row "Restricted" was
        # the one sensitive category (victim of trafficking) under another name.
        instead = str(int(stand_in.pk))
    return f"CASE WHEN {column} IN ({ids}) THEN '{instead}' ELSE CAST({column} AS VARCHAR) END"


def dimension_for(actor: Any, code: str, public: bool = False) -> Dimension:
    """The dimension as this reader breaks figures down by it: the migrant categories,
    vulnerabilities and assistance types of a sensitive group the reader does not hold
    (wherever they read cases) count together under "Restricted", as the case list and the
    case page show them. A row of their own would give back what those pages hide: one case
    of trafficking among November's arrivals is found on the list by its arrival date."""
    dimension = DIMENSIONS[code]
    if code not in _SENSITIVE:
        return dimension
    column, table, kept = _SENSITIVE[code]
    masked = masked_key(actor, code, column, public)
    if masked is None:
        return dimension
    if not table:
        return replace(dimension, key=masked)
    alias = dimension.join.split()[-1]
    # One row per case and masked item: a case with two hidden types counts once under "Restricted".
    join = (
        f"JOIN (SELECT DISTINCT {kept}, {masked} AS {column} FROM {table}) {alias} "  # noqa: S608
        f"ON {alias}.case_id = p.case_id"
    )
    return replace(dimension, join_sql=join)


def join_of(dimension: Dimension) -> str:
    """The SQL joining a dimension's table (blank for a column of the persons)."""
    return dimension.join_sql or _JOINS.get(dimension.join, "")


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date  # inclusive
    population: str = Population.RETURNED
    programmes: tuple[int, ...] = ()
    hosts: tuple[str, ...] = ()
    origins: tuple[str, ...] = ()


@dataclass
class Row:
    key: str
    label: str
    persons: int
    cases: int


@dataclass
class Table:
    """A breakdown (or a cross-table's rows × columns, `cells[(row, column)]`), its totals
    over the whole population counted (not the sum of rows, which may overlap), and what
    defines it."""

    dimension: Dimension
    rows: list[Row]
    total_persons: int
    total_cases: int
    filters: Filters
    as_of: dt.datetime | None
    columns: list[tuple[str, str]] = field(default_factory=list)  # (key, label) of a cross-table
    cells: dict[tuple[str, str], int] = field(default_factory=dict)  # persons per (row, column)
    column_dimension: Dimension | None = None
    top: int | None = None
    cut: bool = False  # rows beyond the top N left out: the totals still count them
    edition: str = Edition.CONFIDENTIAL
    # Small-cell suppression for readers who do not read case records (lib/suppression.py):
    # the threshold (0: exact figures), the hidden (row key, "persons" | "cases") values of a
    # breakdown, the hidden (row, column) cells of a cross-table, and the hidden totals
    # ("persons", "cases", ("row", key), ("column", key), "grand").
    threshold: int = 0
    hidden: set[tuple[str, str]] = field(default_factory=set)
    hidden_cells: set[tuple[str, str]] = field(default_factory=set)
    hidden_totals: set[Any] = field(default_factory=set)

    def shown(self, value: int, hidden: bool) -> int | str:
        """A value as shown: the count; "<threshold" for a small count hidden; "x" for a
        larger one hidden so that the small ones cannot be worked out from the totals."""
        if not hidden:
            return value
        return f"<{self.threshold}" if value < self.threshold else "x"


def scope_sql(actor: Any) -> tuple[str, list[Any]] | None:
    """The SQL condition (over persons p) on what the actor counts, or None for nothing."""
    from remis.programmes.models import Programme

    clauses: list[str] = []
    params: list[Any] = []
    for grant in grants_with(actor, Perm.STATS_VIEW):
        funded = list(Programme.objects.filter(funders=grant.organisation_id).values_list("id", flat=True))
        reach = "p.case_id IN (SELECT case_id FROM access WHERE organisation_id = ?)"
        reach_params: list[Any] = [grant.organisation_id]
        if funded:
            reach = f"({reach} OR p.programme_id IN ({', '.join('?' * len(funded))}))"
            reach_params += funded
        if grant.countries is not None:
            countries = sorted(grant.countries)
            if not countries:
                continue
            marks = ", ".join("?" * len(countries))
            reach = f"({reach} AND (p.host IN ({marks}) OR p.origin IN ({marks})))"
            reach_params += countries + countries
        clauses.append(reach)
        params += reach_params
    if not clauses:
        return None
    return "(" + " OR ".join(clauses) + ")", params


def cohort_where(actor: Any, filters: Filters) -> tuple[str, list[Any]] | None:
    """The SQL condition (over persons p) on the cohort a figure counts: the actor's scope,
    returns in the period, the population and the filters; None when the actor counts nothing."""
    scope = scope_sql(actor)
    if scope is None:
        return None
    conditions = [scope[0], "p.returned", "p.period_day BETWEEN ? AND ?"]
    params = [*scope[1], filters.start, filters.end]
    if filters.population == Population.ASSISTED:
        conditions.append("p.assisted")
    elif filters.population == Population.MONITORED:
        conditions.append("p.monitored")
    for column, values in (("p.programme_id", filters.programmes), ("p.host", filters.hosts)):
        if values:
            conditions.append(f"{column} IN ({', '.join('?' * len(values))})")
            params += list(values)
    if filters.origins:
        conditions.append(f"p.origin IN ({', '.join('?' * len(filters.origins))})")
        params += list(filters.origins)
    return " AND ".join(conditions), params


def breakdown_sql(dimension: Dimension, condition: str) -> str:
    """One statement giving each key's persons and cases and, in a row of its own (the
    `total` column is 1), the population's totals. A dimension with many values per case
    (vulnerabilities, assistance types) joins its table in a second branch: its rows overlap,
    so the totals come from the persons alone, read once (a CTE)."""
    key = f"COALESCE({dimension.key}, '{UNKNOWN}')"
    measures = "count(*) AS persons, count(DISTINCT p.case_id) AS cases"
    join = join_of(dimension)
    if dimension.join in _MULTI:
        return (
            f"WITH p AS MATERIALIZED (SELECT * FROM persons p WHERE {condition}) "  # noqa: S608
            f"SELECT {key} AS k, {measures}, 0 AS total FROM p {join} GROUP BY k "
            f"UNION ALL SELECT NULL, {measures}, 1 FROM p"
        )
    return (
        f"SELECT {key} AS k, {measures}, GROUPING(k) AS total FROM persons p {join} "  # noqa: S608
        f"WHERE {condition} GROUP BY GROUPING SETS ((k), ())"
    )


def breakdown(
    actor: Any, filters: Filters, code: str, top: int | None = None, edition: str | None = None
) -> Table | None:
    """Persons and cases by one dimension, largest first (years and months in order), in
    the edition asked (by default the most detailed the reader may read); None when the
    actor counts nothing. Raises EditionRefused (see `edition_for`)."""
    chosen = edition_for(actor, edition)
    if chosen == Edition.PUBLIC and code in CONFIDENTIAL_ONLY:
        raise EditionRefused
    table = exact_breakdown(actor, filters, code, top, public=chosen == Edition.PUBLIC)
    if table is None:
        return None
    protect(table, chosen, edition_threshold(chosen, filters))  # on every row: the total covers them all
    keep_top(table)
    return table


def _place(code: str, key: str, persons: int, label: str) -> tuple[Any, ...]:
    """Where a row (or a cross-table's column) goes: years, months and age groups in their
    own order, anything else largest first; "unknown" last."""
    if code in ("year", "month"):
        return (key == UNKNOWN, key)
    if code == "age_group":
        order = [_age_name(low, high) for low, high in AGE_GROUPS]
        return (order.index(key) if key in order else len(order),)
    return (key == UNKNOWN, -persons, alphabetical(label), label)  # ties as the reader spells them


def exact_breakdown(
    actor: Any, filters: Filters, code: str, top: int | None = None, *, public: bool = False
) -> Table | None:
    """A breakdown with every row and exact counts, before an edition's hiding and the top
    N cut (`protect`, `keep_top`); for tables published together (annual.py). `public`: for
    the public edition, items of sensitive groups read "Restricted" whoever reads."""
    dimension = dimension_for(actor, code, public)
    where = cohort_where(actor, filters)
    if where is None:
        return None
    condition, params = where
    with analytics.locked():
        store = analytics.fresh()
        found = store.query(breakdown_sql(dimension, condition), params)
        as_of = store.caught_up_at
    # The query's last row is the total over the population (GROUPING = 1), not a key's.
    rows = [r[:3] for r in found if not r[3]]
    totals = next(((r[1], r[2]) for r in found if r[3]), (0, 0))
    labels = labeller(code)
    out = [Row(str(k), labels(str(k)), int(n), int(c)) for k, n, c in rows]
    out.sort(key=lambda r: _place(code, r.key, r.persons, r.label))
    return Table(dimension, out, int(totals[0]), int(totals[1]), filters, as_of, top=top)


NATURAL_ORDER = frozenset({"year", "month", "age_group"})  # rows in their own order, not by count


def alphabetical(label: str) -> str:
    """A sort key in the reader's alphabetical order, near enough for names: accents and
    case aside (Égypte between Djibouti and Érythrée, not after Yémen)."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", str(label))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def keep_top(table: Table) -> None:
    """Cut a top-N table to its first N known rows (after hiding: the rows cut still count
    in the total shown, so they took part in it), then put hidden rows in an order that
    says nothing of their counts (`order_hidden_last`)."""
    if table.top:
        known = [r for r in table.rows if r.key != UNKNOWN]
        end = table.top
        if not table.threshold:
            # Rows tied with the last one kept are kept too: cutting "by name" among equal
            # counts dropped Togo and kept Tchad at 14 each, as if one mattered more. Not in
            # the public edition, where a row kept for its tie would tell a hidden count.
            while 0 < end < len(known) and known[end].persons == known[end - 1].persons:
                end += 1
        table.cut = len(table.rows) > end
        table.rows = known[:end]
    order_hidden_last(table)


def order_hidden_last(table: Table) -> None:
    """Rows (and a cross-table's columns) whose count is hidden go after the others, by
    name: sorted by their count among the others, their place would give the count away (a
    run of "<5" rows ordered by count, then by name, is one count; an "x" between a 12 and
    a 10 is 10 to 12). Rows in their own order (years, months, age groups) stay."""
    if not table.threshold or table.dimension.code in NATURAL_ORDER:
        return

    def row_key(row: Row) -> tuple[Any, ...]:
        hidden = (row.key, "persons") in table.hidden
        return (hidden, row.key == UNKNOWN, 0 if hidden else -row.persons, alphabetical(row.label))

    table.rows.sort(key=row_key)
    if table.columns and table.column_dimension and table.column_dimension.code not in NATURAL_ORDER:
        totals: dict[str, int] = {}
        for (_row, column), n in table.cells.items():
            totals[column] = totals.get(column, 0) + n

        def column_key(column: tuple[str, str]) -> tuple[Any, ...]:
            hidden = ("column", column[0]) in table.hidden_totals
            return (
                hidden,
                column[0] == UNKNOWN,
                0 if hidden else -totals.get(column[0], 0),
                alphabetical(column[1]),
            )

        table.columns.sort(key=column_key)


def edition_threshold(edition: str, filters: Filters) -> int:
    """0 for the confidential edition (exact figures); else the small-cell threshold: the
    strictest in force among the programmes the figure spans (the one chosen, or all)."""
    from django.utils import timezone

    from remis.programmes.queries import small_cell_threshold

    if edition == Edition.CONFIDENTIAL:
        return 0
    return small_cell_threshold(timezone.localdate(), filters.programmes)


def threshold_for(actor: Any) -> int:
    """0 for readers of case records (exact figures); else the small-cell threshold (the
    figures beyond the return statistics, which have no edition to choose)."""
    from django.utils import timezone

    from remis.programmes.queries import small_cell_threshold

    return 0 if may_read_confidential(actor) else small_cell_threshold(timezone.localdate(), reader=actor)


def protect(table: Table, edition: str, threshold: int) -> None:
    """Hide a table's small counts for its edition (one table on its own: its totals are
    its only margins; tables published together go through annual.py's `publish`)."""
    from remis.lib.suppression import suppress_2d, suppress_paired

    table.edition, table.threshold = edition, threshold
    if not table.threshold:
        return
    # Persons and cases together: a row holds at least as many persons as cases, which a
    # reader combines with the totals and the markers (lib/suppression.suppress_paired).
    paired = suppress_paired(
        [r.persons for r in table.rows],
        [r.cases for r in table.rows],
        table.threshold,
        table.total_persons,
        table.total_cases,
    )
    for measure, result in zip(("persons", "cases"), paired, strict=True):
        table.hidden |= {(table.rows[i].key, measure) for i in result.cells}
        if result.total:
            table.hidden_totals.add(measure)
    if table.columns:
        result2 = suppress_2d(table.cells, table.threshold)
        table.hidden_cells = result2.cells
        # The row totals of a cross-table are its rows' persons: hidden with them.
        table.hidden |= {(row, "persons") for row in result2.rows}
        table.hidden_totals |= {("column", c) for c in result2.columns}
        if result2.grand:
            table.hidden_totals.add("persons")


def cross_table(
    actor: Any, filters: Filters, rows_code: str, columns_code: str, edition: str | None = None
) -> Table | None:
    """Persons by two dimensions (for example host country × country of origin)."""
    chosen = edition_for(actor, edition)
    if chosen == Edition.PUBLIC and {rows_code, columns_code} & CONFIDENTIAL_ONLY:
        raise EditionRefused
    public = chosen == Edition.PUBLIC
    row_dim, column_dim = dimension_for(actor, rows_code, public), dimension_for(actor, columns_code, public)
    where = cohort_where(actor, filters)
    if where is None:
        return None
    condition, params = where
    joins = " ".join(dict.fromkeys(join_of(d) for d in (row_dim, column_dim)))
    with analytics.locked():
        store = analytics.fresh()
        found = store.query(
            f"SELECT COALESCE({row_dim.key}, '{UNKNOWN}'), COALESCE({column_dim.key}, '{UNKNOWN}'), "  # noqa: S608
            f"count(*) FROM persons p {joins} WHERE {condition} GROUP BY 1, 2",
            params,
        )
        as_of = store.caught_up_at
    base = exact_breakdown(actor, filters, rows_code, public=public)
    assert base is not None
    column_totals: dict[str, int] = {}
    cells: dict[tuple[str, str], int] = {}
    for row_key, column_key, n in found:
        cells[(str(row_key), str(column_key))] = int(n)
        column_totals[str(column_key)] = column_totals.get(str(column_key), 0) + int(n)
    labels = labeller(columns_code)
    # In the same order as the rows of that breakdown (months and age groups in order).
    columns = [
        (k, labels(k))
        for k, _n in sorted(
            column_totals.items(), key=lambda kv: _place(columns_code, kv[0], kv[1], labels(kv[0]))
        )
    ]
    base.columns, base.cells, base.column_dimension, base.as_of = columns, cells, column_dim, as_of
    protect(base, chosen, edition_threshold(chosen, filters))
    order_hidden_last(base)
    return base


def _age_name(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else f"{low}-{high}"


def _month_name(key: str) -> str:
    if key == UNKNOWN:
        return str(_("Not known"))
    try:
        return str(date_format(dt.date(int(key[:4]), int(key[5:7]), 1), "YEAR_MONTH_FORMAT"))
    except ValueError:
        return key


def labeller(code: str) -> Callable[[str], str]:
    """Names for a dimension's keys, in the active language."""
    from remis.cases.models import ReturnType, Sex
    from remis.lib.countries import country_name
    from remis.programmes.models import Programme

    unknown = _("Not known")

    def named(names: dict[str, str]) -> Callable[[str], str]:
        return lambda key: unknown if key == UNKNOWN else names.get(key, key)

    names_restricted = {RESTRICTED: _("Restricted")}

    if code in ("origin", "host"):
        return lambda key: unknown if key == UNKNOWN else country_name(key)
    if code == "month":
        return _month_name  # "janvier 2026", as the dashboard writes months; the code stays ISO
    if code == "sex":
        return named({k: str(v) for k, v in Sex.choices})
    if code == "return_type":
        return named({k: str(v) for k, v in ReturnType.choices})
    if code == "age_group":
        return named(
            {
                _age_name(low, high): (
                    _("%(low)s years and over") % {"low": low}
                    if high is None
                    else _("%(low)s–%(high)s years") % {"low": low, "high": high}
                )
                for low, high in AGE_GROUPS
            }
        )
    models = _item_models()
    if code in models:
        return named({str(item.pk): item.label for item in models[code].objects.all()} | names_restricted)
    if code == "programme":
        return named({str(pk): name for pk, name in Programme.objects.values_list("pk", "name")})
    if code in ("origin_region", "host_region", "origin_sub_region", "host_sub_region"):
        from remis.programmes.regions import REGION_NAMES

        return named({name: str(label) for name, label in REGION_NAMES.items()})
    return named({})


def counted_from(actor: Any) -> str:
    """Whose cases the reader's figures count, by name: a file handed on says it, where it
    said "the cases your organisation has access to within your countries", which a reader
    of the file could not tell (the public edition is for sharing)."""
    from remis.accounts.models import Organisation
    from remis.lib.countries import country_name
    from remis.lib.text import list_separator
    from remis.programmes.models import Programme

    grants = grants_with(actor, Perm.STATS_VIEW)
    names = dict(
        Organisation.objects.filter(pk__in={g.organisation_id for g in grants}).values_list("pk", "name")
    )
    held = []
    for grant in grants:
        countries = (
            _("every country")
            if grant.countries is None
            else list_separator().join(sorted(country_name(c) for c in grant.countries))
        )
        held.append(f"{names.get(grant.organisation_id, '')} ({countries})")
    text = _("Counted from the cases held by %(organisations)s.") % {"organisations": "; ".join(held)}
    funded = sorted(
        Programme.objects.filter(funders__in=list(names)).values_list("name", flat=True).distinct()
    )
    if funded:
        text += " " + _("And from the cases of the programmes they fund: %(programmes)s.") % {
            "programmes": list_separator().join(funded)
        }
    return text
