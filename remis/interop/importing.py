"""Bulk import of records from CSV or XLSX files: the entities on offer, and the run.

The apps that own records register what can be imported (`register_entity`): the columns of
a row, with which are required and which codes are allowed (for the template and the
checks), and an `Importer` that checks a chunk of rows with the same rules as the forms and
the API, then writes the accepted ones in bulk with one audit entry per record. interop
imports none of those apps; it reads the file, maps its header, streams the rows in chunks,
keeps the report and decides what is committed:

- `CHECK`: every row is checked, nothing is written (what the CLI does without `--for-real`).
- `VALID_ROWS`: each chunk's accepted rows are committed with it; refused rows are reported.
- `ALL_OR_NOTHING`: the whole file is written in one transaction, rolled back when any row
  is refused (the remaining rows are still checked, so the report is complete).

Records are found again by the organisation's external ID: a row already imported and not
changed since is counted as unchanged and writes nothing, a changed row updates its record.
So importing a file twice changes nothing, and an import interrupted in `VALID_ROWS` mode
(chunks committed, the worker killed) run again ends as an uninterrupted run would.
Memory stays flat: one chunk of rows is held at a time, and the report is written to a
file as it goes; only its first rows are kept for the page.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import islice
from typing import IO, Any, Protocol

from django.db import IntegrityError, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from remis.interop.errors import ReadErrorCode, UnreadableFile
from remis.interop.tables import Table, TableRow, open_table
from remis.lib.gcpace import fewer_collections
from remis.lib.said import said
from remis.lib.spreadsheet import restored

CHUNK = 2000
DAY_EXAMPLE = re.compile(r"\d{4}-\d{2}-\d{2}")
KEPT_PROBLEMS = 200  # problems kept for the page; the report file has them all
IGNORE = ""  # a mapping target: the column is read from the file but not imported


@dataclass(frozen=True)
class Column:
    """A column of an entity's rows. `codes` gives the allowed values of a coded column (for
    the template's list and its check); `example` fills the template's example row."""

    name: str
    label: str | Promise
    required: bool = False
    example: str = ""
    codes: Callable[[], Sequence[str]] | None = None
    help: str | Promise = ""

    def how_to_fill(self) -> str:
        """The template's "how to fill it": the column's help, else, for a date, its form
        (most date columns said nothing, and a day typed 20/05/1988 was refused)."""
        if self.help:
            return str(self.help)
        if (
            DAY_EXAMPLE.fullmatch(self.example)
            or self.name.endswith(("_on", "_date"))
            or self.name == "date_of_birth"
        ):
            return _("A date written YYYY-MM-DD.")
        return ""


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, str]  # column name → the cell's text, stripped; absent columns ""


class Outcome(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass
class Checked:
    """What the importer made of a row: an outcome, the problems of a refused row (column,
    message), and whatever the importer needs to write it (`payload`)."""

    row: Row
    outcome: Outcome
    problems: list[tuple[str | None, str]] = field(default_factory=list)
    payload: Any = None


class Importer(Protocol):
    """One run's importer, made for an actor and the organisation importing; it may keep
    caches (programmes, categories) for the run, never the rows of earlier chunks."""

    def check(self, rows: list[Row]) -> list[Checked]:
        """Check a chunk of rows against the database as it is now; one result per row."""
        ...

    def write(self, accepted: list[Checked]) -> None:
        """Write the chunk's created and updated records, with their audit entries."""
        ...


@dataclass(frozen=True)
class Entity:
    code: str
    label: str | Promise
    description: str | Promise
    columns: tuple[Column, ...]
    start: Callable[[Any, Any], Importer]  # (actor, organisation) → the run's importer
    may_import: Callable[[Any, Any], bool]  # (actor, organisation): the permission to import
    # actor → example values that must agree with each other for the template's example row
    # to import (a programme with one of its countries), chosen among what the actor may use.
    example_values: Callable[[Any], dict[str, str]] | None = None

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


_entities: dict[str, Entity] = {}


def register_entity(entity: Entity) -> None:
    _entities[entity.code] = entity


def unregister_entity(code: str) -> None:
    _entities.pop(code, None)


def entities() -> list[Entity]:
    return list(_entities.values())


def entity_for(code: str) -> Entity | None:
    return _entities.get(code)


# ---- the header ------------------------------------------------------------------------


def _fold(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def suggested_mapping(entity: Entity, header: Sequence[str]) -> dict[str, str | None]:
    """Each header's column when its name is the column's (case, spaces and dashes aside);
    None when there is none to suggest."""
    by_name = {_fold(c.name): c.name for c in entity.columns}
    return {h: by_name.get(_fold(h)) for h in header}


def mapping_for(mapping: dict[str, str], header: list[str]) -> dict[str, str]:
    """A saved mapping as this file's header names it: each header with the column it is
    mapped to, matched as `_mapped` matches. Kept by exact name only, a saved mapping was
    dropped whole for a file whose headers were the same in capitals."""
    found = {name: _mapped(mapping, name) for name in header}
    return {name: target for name, target in found.items() if target is not None}


def _mapped(mapping: dict[str, str], name: str) -> str | None:
    """The column a header is mapped to: by its exact name, else by its name with case,
    spaces and dashes aside (a source's next file wrote "Case Ref" where the mapping saved
    from its first said "case ref"). None: not mapped."""
    if name in mapping:
        return mapping[name]
    folded = _fold(name)
    for header, target in mapping.items():
        if _fold(header) == folded:
            return target
    return None


def header_problems(
    entity: Entity, header: Sequence[str], mapping: dict[str, str]
) -> list[tuple[str | None, str]]:
    """(column, message) for every header problem: unknown, duplicated, missing required."""
    problems: list[tuple[str | None, str]] = []
    suggested = suggested_mapping(entity, header)
    seen: dict[str, str] = {}
    for name in header:
        target = _mapped(mapping, name)
        target = suggested.get(name) if target is None else target
        if target is None:
            problems.append(
                (
                    name,
                    said(
                        "“%(header)s” is not a column of these records: map it or ignore it.",
                        {"header": name},
                    ),
                )
            )
            continue
        if target == IGNORE:
            continue
        if entity.column(target) is None:
            problems.append(
                (name, said("“%(column)s” is not a column of these records.", {"column": target}))
            )
        elif target in seen:
            problems.append(
                (
                    name,
                    said(
                        "Columns “%(first)s” and “%(second)s” both give %(column)s.",
                        {"first": seen[target], "second": name, "column": target},
                    ),
                )
            )
        else:
            seen[target] = name
    for column in entity.columns:
        if column.required and column.name not in seen:
            problems.append(
                (
                    column.name,
                    said("The file has no column %(column)s, which is required.", {"column": column.name}),
                )
            )
    return problems


def resolved_mapping(entity: Entity, header: Sequence[str], mapping: dict[str, str]) -> list[str | None]:
    """For each position of the header, the entity column it gives (None: ignored)."""
    suggested = suggested_mapping(entity, header)
    targets: list[str | None] = []
    for name in header:
        target = _mapped(mapping, name)
        target = suggested.get(name) if target is None else target
        targets.append(target or None)
    return targets


# ---- the run ---------------------------------------------------------------------------


class HeaderRefused(UnreadableFile):
    """The file's header does not give the entity's columns: nothing is read further."""

    def __init__(self, problems: list[tuple[str | None, str]]) -> None:
        super().__init__(problems[0][1], code=ReadErrorCode.NO_QUESTION, row=1, column=problems[0][0])
        self.errors = problems


@dataclass
class Result:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    committed: bool = False
    problems: list[dict[str, Any]] = field(default_factory=list)  # the first KEPT_PROBLEMS
    problem_count: int = 0  # all of them (a refused row may have several): the report file's rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "refused": self.refused,
            "committed": self.committed,
            "problems": self.problems,
            "problem_count": self.problem_count,
        }


class _Rollback(Exception):
    """Raised inside the all-or-nothing transaction to undo it once every row is checked."""


def report_header() -> list[str]:
    """The report's columns in the language its messages are written in (the job's): they
    read "row, column, value, message" above French messages."""
    return [_("Row"), _("Column"), _("Value"), _("Message")]


class Run:
    """One reading of a file into an entity. `report` receives the refused rows as CSV."""

    def __init__(
        self,
        entity: Entity,
        actor: Any,
        organisation: Any,
        *,
        mode: str,
        mapping: dict[str, str],
        report: IO[str],
        progress: Callable[[int], None] = lambda done: None,
    ) -> None:
        self.entity = entity
        self.actor = actor
        self.organisation = organisation
        self.mode = mode
        self.mapping = mapping
        self.progress = progress
        self.result = Result()
        report.write("\ufeff")  # the byte-order mark by which Excel reads the report as UTF-8
        self._report = csv.writer(report)
        self._report.writerow(report_header())

    def read(self, file: IO[bytes], filename: str, sheet: str | None = None) -> Result:
        """Check the file, and write it as the mode says. All or nothing reads it twice: a
        first pass checks every row without writing (its progress shows, no lock is held,
        and a refused row stops there); the second writes the whole file in one
        transaction, checking again, as the database may have changed meanwhile."""
        with fewer_collections():  # batch work, as in a job (the command runs it here)
            return self._read(file, filename, sheet)

    def _read(self, file: IO[bytes], filename: str, sheet: str | None) -> Result:
        write = self.mode in ("valid_rows", "all_or_nothing")
        with open_table(file, filename, sheet=sheet or None) as table:
            self._run(table, write=write and self.mode != "all_or_nothing")
        if self.mode != "all_or_nothing":
            return self.result
        if self.result.refused:  # nothing is written: no row counts as added or updated
            self.result.created = self.result.updated = 0
            return self.result
        checked_rows = self.result.rows
        self.result = Result()
        file.seek(0)
        try:
            with transaction.atomic(), open_table(file, filename, sheet=sheet or None) as table:
                self._run(table, write=True, progress=lambda done: None)
                if self.result.refused:
                    raise _Rollback
                self.result.committed = True
        except _Rollback:
            self.result.created = self.result.updated = 0
        self.progress(max(checked_rows, self.result.rows))
        return self.result

    def _run(self, table: Table, *, write: bool, progress: Callable[[int], None] | None = None) -> None:
        problems = header_problems(self.entity, table.header, self.mapping)
        if problems:
            raise HeaderRefused(problems)
        targets = resolved_mapping(self.entity, table.header, self.mapping)
        importer = self.entity.start(self.actor, self.organisation)
        rows = self._rows(table.rows, targets)
        self._chunks(importer, rows, write=write, progress=progress or self.progress)
        if write and self.mode == "valid_rows":
            self.result.committed = True

    def _rows(self, rows: Iterator[TableRow], targets: list[str | None]) -> Iterator[Row]:
        names = [c.name for c in self.entity.columns]
        for row in rows:
            values = dict.fromkeys(names, "")
            for target, cell in zip(targets, row.cells, strict=True):
                if target is not None:
                    values[target] = restored(cell.strip())
            if row.overflow:
                self._refuse_overflow(row)
                continue
            yield Row(row.number, values)

    def _refuse_overflow(self, row: TableRow) -> None:
        self.result.rows += 1
        self.result.refused += 1
        message = _("The row has more cells than the header has columns: is a delimiter misplaced?")
        self._problem(row.number, "", row.overflow[0], message)

    def _chunks(
        self, importer: Importer, rows: Iterator[Row], *, write: bool, progress: Callable[[int], None]
    ) -> None:
        # In the all-or-nothing writing pass, once a row is refused nothing will be kept:
        # the rest is only checked, so that the report still names every problem.
        while chunk := list(islice(rows, CHUNK)):
            checked = importer.check(chunk)
            refused = self.result.refused + sum(c.outcome == Outcome.REFUSED for c in checked)
            if write and not (self.mode == "all_or_nothing" and refused):
                checked = self._write(importer, chunk, checked)
            self._count(checked)
            progress(self.result.rows)

    def _write(self, importer: Importer, chunk: list[Row], checked: list[Checked]) -> list[Checked]:
        """Write a chunk's accepted rows. Another import of the same records may have written
        some of them since they were checked (the database refuses a second record of one
        external ID): the chunk is then checked again, finding those, and written once more."""
        for attempt in range(2):
            accepted = [c for c in checked if c.outcome in (Outcome.CREATE, Outcome.UPDATE)]
            if not accepted:
                break
            try:
                with transaction.atomic():
                    importer.write(accepted)
                break
            except IntegrityError:
                if attempt:
                    raise
                checked = importer.check(chunk)
        return checked

    def _count(self, checked: list[Checked]) -> None:
        result = self.result
        for item in checked:
            result.rows += 1
            if item.outcome == Outcome.REFUSED:
                result.refused += 1
                for column, message in item.problems:
                    self._problem(
                        item.row.number, column or "", item.row.values.get(column or "", ""), message
                    )
            elif item.outcome == Outcome.CREATE:
                result.created += 1
            elif item.outcome == Outcome.UPDATE:
                result.updated += 1
            else:
                result.unchanged += 1

    def _problem(self, row: int, column: str, value: str, message: str) -> None:
        self._report.writerow([row, column, escape_formula(value), message])
        self.result.problem_count += 1
        if len(self.result.problems) < KEPT_PROBLEMS:
            self.result.problems.append({"row": row, "column": column, "value": value, "message": message})


def escape_formula(value: str) -> str:
    """A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is written
    with a leading apostrophe, so that a report or export opened in Excel shows the text
    and never runs `=HYPERLINK(…)` planted in an imported file."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def temporary_report() -> IO[str]:
    return tempfile.TemporaryFile("w+", encoding="utf-8", newline="")


class EarlierRows:
    """The keys rows of a file gave, across its chunks. Each chunk of 2,000 rows is checked
    on its own: a key repeated further down the file found the record its first row had just
    made and updated it, without a word. Kept by row number, so a chunk checked again (after
    its write raced another import) finds its own rows, not earlier ones."""

    def __init__(self) -> None:
        self._first: dict[str, int] = {}

    def repeats(self, mark: str, row: int) -> bool:
        first = self._first.get(mark)
        return first is not None and first != row

    def note(self, mark: str, row: int) -> None:
        self._first.setdefault(mark, row)
