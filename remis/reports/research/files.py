"""The files of a research extract: a CSV of the returnees' rows, and an XLSX with the same
rows and a definitions sheet (each column, then the protection applied, with its counts).

Column names are fixed ASCII (researchers' scripts read them); their descriptions are in
the requester's language. Every text cell goes through `lib/spreadsheet` (`neutralise`,
`xlsx_row`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from remis.lib.countries import alpha3
from remis.lib.spreadsheet import neutralised, xlsx_row
from remis.reports.research.anonymity import BROAD_AGE, STEPS, Combination, QuasiIdentifiers, generalised
from remis.reports.research.rows import SCORES, Returnee


@dataclass(frozen=True)
class Written:
    """A row kept, at the step the k rule wrote it."""

    returnee: Returnee
    step: int


def rounds(rows: Sequence[Written]) -> list[int]:
    return sorted({number for row in rows for number in row.returnee.scores})


def columns(rows: Sequence[Written]) -> list[tuple[str, str]]:
    """(name, description) of every column, in order."""
    fixed = [
        ("person_pseudonym", _("The person's pseudonym: the same in every extract made with the same key.")),
        ("case_pseudonym", _("The case's (household's) pseudonym: members of one household share it.")),
        ("sex", _("Sex: F female, M male, X other, U not recorded.")),
        (
            "age_group",
            _(
                "Age group at arrival in completed years (0-4 … 60+), or a broad band (0-17, 18-59, 60+) "
                "where the k rule coarsened it; blank when not known."
            ),
        ),
        ("origin_country", _("Country of origin, ISO 3166-1 alpha-3.")),
        ("host_country", _("Host country, ISO 3166-1 alpha-3.")),
        ("programme", _("The programme's code.")),
        ("return_type", _("Return type: avr (assisted voluntary return), post_arrival, other.")),
        (
            "migrant_category",
            _("Migrant category code; blank when none is recorded or when it belongs to a sensitive group."),
        ),
        ("stage", _("The case's stage on the journey when the extract was built.")),
        (
            "arrival_period",
            _(
                "Month of arrival (YYYY-MM; departure when arrival is not recorded), or its quarter "
                "(YYYY-Qn) or year (YYYY) where the k rule coarsened it."
            ),
        ),
        ("assisted", _("1 when the returnee received reintegration assistance of a type listed, else 0.")),
        (
            "assistance_types",
            _(
                "Types of assistance received (in progress or delivered), codes separated by “;”; "
                "types of a sensitive group (medical, psychosocial) are not exported."
            ),
        ),
    ]
    scored = {
        "composite": _("composite reintegration score"),
        "economic": _("economic dimension score"),
        "social": _("social dimension score"),
        "psychosocial": _("psychosocial dimension score"),
    }
    for number in rounds(rows):
        for score in SCORES:
            fixed.append(
                (
                    f"round_{number}_{score}",
                    _("Follow-up round %(round)s: %(score)s, 0 to 100; blank when not answered.")
                    % {"round": number, "score": scored[score]},
                )
            )
    return fixed


def _score(value: Decimal | None) -> Decimal | None:
    """A score as a number from 0 to 100 with two decimals (a number cell in the workbook:
    written as text, sums and averages skipped it); blank when not answered."""
    return None if value is None else (value * 100).quantize(Decimal("0.01"))


def cells(row: Written, numbers: list[int]) -> list[Any]:
    r = row.returnee
    sex, age, _origin, host, programme, written_period = generalised_row(row)
    out: list[Any] = [
        r.person,
        r.case,
        sex,
        age,
        alpha3(r.origin),
        alpha3(host) if host else "",  # withheld: its group was under k with it
        programme,
        r.return_type,
        r.category,
        r.stage,
        written_period,
        1 if r.assisted else 0,
        ";".join(r.assistance),
    ]
    for number in numbers:
        values = r.scores.get(number, (None,) * len(SCORES))
        out.extend(_score(v) for v in values)
    return out


def quasi_identifiers(r: Returnee) -> QuasiIdentifiers:
    """A returnee's quasi-identifiers, as the k rule groups them."""
    return QuasiIdentifiers(r.sex, r.age_group, r.origin, r.arrival, r.case_id, r.host, r.programme)


def generalised_row(row: Written) -> Combination:
    return generalised(quasi_identifiers(row.returnee), row.step)


def as_csv(rows: Sequence[Written]) -> bytes:
    numbers = rounds(rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([name for name, _d in columns(rows)])
    for row in rows:
        writer.writerow(neutralised(cells(row, numbers)))
    return ("\ufeff" + out.getvalue()).encode()


def as_xlsx(rows: Sequence[Written], about: list[tuple[str, str]], right_to_left: bool) -> bytes:
    from openpyxl import Workbook

    numbers = rounds(rows)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Returnees")[:31])
    described = columns(rows)
    sheet.append([name for name, _d in described])
    for row in rows:
        sheet.append(xlsx_row(sheet, cells(row, numbers)))
    definitions = book.create_sheet(_("Definitions")[:31])
    definitions.sheet_view.rightToLeft = right_to_left
    definitions.append(xlsx_row(definitions, [_("Column"), _("Meaning")]))
    for name, description in described:
        definitions.append(xlsx_row(definitions, [name, description]))
    definitions.append([])
    definitions.append(xlsx_row(definitions, [_("Protection"), ""]))
    for name, value in about:
        definitions.append(xlsx_row(definitions, [name, value]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def step_names() -> list[str]:
    """How each step writes the period and the age group, for the definitions."""
    ages = {
        "fine": _("age group"),
        "broad": _("broad age band (%(bands)s)") % {"bands": ", ".join(sorted(set(BROAD_AGE.values())))},
    }
    periods = {"month": _("month"), "quarter": _("quarter"), "year": _("year")}
    where = {"kept": "", "withheld": " × " + _("host country and programme withheld")}
    return [f"{periods[p]} × {ages[a]}{where[w]}" for p, a, w in STEPS]
