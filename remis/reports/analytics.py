"""The analytics path: an in-memory columnar copy of the facts statistics count, kept current
by the audit log.

Why this design (measured in docs/benchmarks.md, "Return statistics"): GROUP BY queries over
the case tables take 40 ms to seconds at a million cases, and the breakdowns the reports
offer (persons by sex, age group, region, vulnerability, assistance type, within any period,
programme and scope) are too many for rollup tables maintained by every action. DuckDB runs
the same aggregates in milliseconds over a columnar copy. Each process keeps its own copy in
an in-memory DuckDB database (no file, so no lock between the web processes and the worker):

* Loaded in full on first use (`load`; DuckDB reads the database itself, a SQLite file from
  a child process: `isolated.py` says why): one row per person covered by a case (`persons`),
  with the case's dimensions copied on it, beside the organisations with access to each case
  (`access`), its vulnerabilities (`vulnerabilities`) and the assistance types it received
  (`assistance`).
* Kept current before every read (`fresh`): every write in REMIS leaves an audit entry in the
  same transaction, naming its case. The store remembers the last entry it has read (id and
  hash); the entries after it name the cases to read again, and cases added without an entry
  (the bulk generator) are found by their ids. If the remembered entry is gone or changed
  (a restored backup, a test's rolled-back transaction), the store loads everything again.
  A figure is therefore fresh as soon as the change is committed: nothing waits for a job.

Labels are not stored: ids and codes are, and the statistics module names them in the
reader's language when it shows them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from django.db import connection

from remis.cases.lifecycle import JOURNEY, Stage

logger = logging.getLogger(__name__)

# Cases counted as returned: at or after arrival on the journey (a closed case by the stage
# it was closed from).
RETURNED_STAGES = JOURNEY[JOURNEY.index(Stage.RETURNED) :]
RECEIVED = ("in_progress", "delivered")  # assistance items counted as received
# More changed cases than this: load everything again. Case by case costs about 5 ms a case
# (2,000 cases: 10 s on the demo database, whose whole load took 0.63 s; 20,000 imported
# cases took 55 s to catch up, the first page after the import timing out), a whole load
# about 5 s per million cases: past a few hundred changed cases the whole load is quicker
# at any size up to a million.
RELOAD_ABOVE = 200
_RETURNED = ", ".join(f"'{s.value}'" for s in RETURNED_STAGES)
_RECEIVED = ", ".join(f"'{s}'" for s in RECEIVED)

# What is read, written once for both ways of reading it: `{src}` is the attached database
# ("src." when DuckDB reads it directly) or nothing (the rows Django read, staged in DuckDB).
# One row per person covered by a case. Closed cases count as returned by the stage they
# left; a return counts on its arrival day, else its departure day.
_PERSONS = f"""
SELECT c.id AS case_id, m.person_id = c.principal_id AS principal, c.programme_id,
       c.host_country AS host, c.origin_country AS origin, c.category_id, c.return_type, c.stage,
       (c.stage IN ({_RETURNED}) OR (c.stage = 'closed' AND c.stage_before_closure IN ({_RETURNED})))
           AS returned,
       CAST(COALESCE(c.arrival_date, t.departure_date) AS DATE) AS period_day,
       p.sex, CAST(p.date_of_birth AS DATE) AS birth, p.birth_year_estimated AS birth_year
FROM {{src}}cases_casemember m
JOIN {{src}}cases_case c ON c.id = m.case_id
JOIN {{src}}cases_person p ON p.id = m.person_id
LEFT JOIN {{src}}cases_returntravel t ON t.case_id = c.id
"""  # noqa: S608  (constants only)
_TABLES = {
    "access": "SELECT case_id, organisation_id FROM {src}cases_caseaccess WHERE revoked_at IS NULL",
    "vulnerabilities": "SELECT case_id, vulnerability_id FROM {src}cases_case_vulnerabilities",
    "assistance": f"""
        SELECT DISTINCT p.case_id, i.kind_id, i.route
        FROM {{src}}assistance_assistanceitem i
        JOIN {{src}}assistance_plan p ON p.in_force_id = i.version_id
        WHERE i.status IN ({_RECEIVED})""",  # noqa: S608  (constants only)
    # A visit, or a round done (by its questionnaire too, closed early or imported from a
    # collection tool): the case page reads it "Done".
    # One SELECT (the reload of a few cases appends its filter to the outer WHERE); every
    # visit belongs to a round of its case.
    "monitored": (
        "SELECT DISTINCT f.case_id FROM {src}monitoring_followup f WHERE (f.status = 'done' "
        "OR EXISTS (SELECT 1 FROM {src}monitoring_visit v WHERE v.follow_up_id = f.id))"
    ),
    # Monitoring: every scored response (comparison samples have no case) with its round,
    # and every round with its state, for outcomes and attrition.
    "responses": """
        SELECT r.id, r.case_id, f.round, i.code AS instrument, r.collected_on,
               CAST(r.economic AS DOUBLE PRECISION) AS economic,
               CAST(r.social AS DOUBLE PRECISION) AS social,
               CAST(r.psychosocial AS DOUBLE PRECISION) AS psychosocial,
               CAST(r.composite AS DOUBLE PRECISION) AS composite, r.band,
               CAST(r.item_key AS TEXT) AS item_key,
               r.answers ->> 'wish_to_migrate_again' AS migrate_again
        FROM {src}monitoring_response r
        JOIN {src}monitoring_instrument i ON i.id = r.instrument_id
        LEFT JOIN {src}monitoring_followup f ON f.id = r.follow_up_id""",
    "rounds": (
        "SELECT case_id, round, status, window_start, window_end, done_on FROM {src}monitoring_followup"
    ),
    # Process indicators: each plan version's approval day (the first is the plan's), each
    # instalment's payment day, each referral's status, each visit's mode. The approval is a
    # time stamp: its day as text (UTC), which every engine reads and DuckDB stores as a date.
    "approvals": """
        SELECT p.case_id, SUBSTR(CAST(v.approved_at AS TEXT), 1, 10) AS approved_on
        FROM {src}assistance_planversion v
        JOIN {src}assistance_plan p ON p.id = v.plan_id
        WHERE v.approved_at IS NOT NULL""",
    "payments": """
        SELECT p.case_id, i.paid_on
        FROM {src}assistance_instalment i
        JOIN {src}assistance_assistanceitem a ON a.id = i.item_id
        JOIN {src}assistance_planversion v ON v.id = a.version_id
        JOIN {src}assistance_plan p ON p.id = v.plan_id
        WHERE i.voided_at IS NULL""",
    "referrals": "SELECT case_id, status FROM {src}referrals_referral",
    "visits": "SELECT case_id, mode FROM {src}monitoring_visit",
    # The type of each assistance item a satisfaction response is about, by the item's key
    # (stable across plan versions); only those items (the keys are long text to hold), found
    # through the case's responses (indexed by case: a catch-up reads a few cases quickly).
    "items": """
        SELECT DISTINCT p.case_id, CAST(i.key AS TEXT) AS item_key, i.kind_id
        FROM {src}assistance_assistanceitem i
        JOIN {src}assistance_planversion v ON v.id = i.version_id
        JOIN {src}assistance_plan p ON p.id = v.plan_id
        WHERE EXISTS (
            SELECT 1 FROM {src}monitoring_response r WHERE r.case_id = p.case_id AND r.item_key = i.key
        )""",
    # Who holds each case (cases per case worker), and each submission to a reintegration
    # partner: its due day and whether it was answered by its due time (null: not answered).
    "assignments": "SELECT case_id, user_id FROM {src}cases_case_assigned_workers",
    "submissions": """
        SELECT case_id, status, SUBSTR(CAST(due_at AS TEXT), 1, 10) AS due_on,
               CASE WHEN responded_at IS NULL THEN NULL WHEN responded_at <= due_at THEN 1 ELSE 0 END
                   AS in_time
        FROM {src}cases_submission""",
}
# The facts as stored: age in completed years on the day the return counts (from the date of
# birth, else the estimated year of birth); the case's flags copied on each person, so that
# a read joins nothing for them.
_PERSONS_SELECT = """
SELECT f.case_id, f.principal, f.programme_id, f.host, f.origin, f.category_id, f.return_type,
       f.stage, f.returned, f.period_day, f.sex,
       CASE WHEN f.period_day IS NULL THEN NULL
            WHEN f.birth IS NOT NULL THEN
                year(f.period_day) - year(f.birth)
                - CASE WHEN month(f.period_day) * 100 + day(f.period_day)
                            < month(f.birth) * 100 + day(f.birth) THEN 1 ELSE 0 END
            WHEN f.birth_year IS NOT NULL THEN year(f.period_day) - f.birth_year
       END AS age,
       f.case_id IN (SELECT case_id FROM monitored) AS monitored,
       f.case_id IN (SELECT case_id FROM assistance) AS assisted
FROM ({persons}) f
"""
_PERSONS_TYPES = (
    "case_id INTEGER, principal BOOLEAN, programme_id INTEGER, host VARCHAR, origin VARCHAR, "
    "category_id INTEGER, return_type VARCHAR, stage VARCHAR, returned BOOLEAN, period_day DATE, "
    "sex VARCHAR, age INTEGER, monitored BOOLEAN, assisted BOOLEAN"
)
_TYPES = {
    "access": "case_id INTEGER, organisation_id INTEGER",
    "vulnerabilities": "case_id INTEGER, vulnerability_id INTEGER",
    "assistance": "case_id INTEGER, kind_id INTEGER, route VARCHAR",
    "monitored": "case_id INTEGER",
    "responses": (
        "id INTEGER, case_id INTEGER, round INTEGER, instrument VARCHAR, collected_on DATE, "
        "economic DOUBLE, social DOUBLE, psychosocial DOUBLE, composite DOUBLE, band VARCHAR, "
        "item_key VARCHAR, migrate_again VARCHAR"
    ),
    "rounds": (
        "case_id INTEGER, round INTEGER, status VARCHAR, window_start DATE, window_end DATE, done_on DATE"
    ),
    "approvals": "case_id INTEGER, approved_on DATE",
    "payments": "case_id INTEGER, paid_on DATE",
    "referrals": "case_id INTEGER, status VARCHAR",
    "visits": "case_id INTEGER, mode VARCHAR",
    "items": "case_id INTEGER, item_key VARCHAR, kind_id INTEGER",
    "assignments": "case_id INTEGER, user_id INTEGER",
    "submissions": "case_id INTEGER, status VARCHAR, due_on DATE, in_time INTEGER",
}
# The same rows read through Django, for a few changed cases or inside a transaction whose
# rows another connection cannot see yet: staged as they come, then shaped in DuckDB.
_STAGED_TYPES = (
    "case_id INTEGER, principal_id INTEGER, person_id INTEGER, programme_id INTEGER, "
    "host_country VARCHAR, origin_country VARCHAR, category_id INTEGER, return_type VARCHAR, "
    "stage VARCHAR, stage_before_closure VARCHAR, arrival_date DATE, departure_date DATE, "
    "sex VARCHAR, date_of_birth DATE, birth_year_estimated INTEGER"
)
_STAGED_SQL = """
SELECT c.id, c.principal_id, m.person_id, c.programme_id, c.host_country, c.origin_country,
       c.category_id, c.return_type, c.stage, c.stage_before_closure,
       CAST(c.arrival_date AS TEXT), CAST(t.departure_date AS TEXT), p.sex,
       CAST(p.date_of_birth AS TEXT), p.birth_year_estimated
FROM cases_casemember m
JOIN cases_case c ON c.id = m.case_id
JOIN cases_person p ON p.id = m.person_id
LEFT JOIN cases_returntravel t ON t.case_id = c.id
"""
_STAGED_PERSONS = f"""
SELECT case_id, person_id = principal_id AS principal, programme_id, host_country AS host,
       origin_country AS origin, category_id, return_type, stage,
       (stage IN ({_RETURNED}) OR (stage = 'closed' AND stage_before_closure IN ({_RETURNED})))
           AS returned,
       COALESCE(arrival_date, departure_date) AS period_day, sex, date_of_birth AS birth,
       birth_year_estimated AS birth_year
FROM staged_persons
"""  # noqa: S608
_CASE_COLUMN = {
    "assistance": "p.case_id",
    "persons": "c.id",
    "responses": "r.case_id",
    "approvals": "p.case_id",
    "payments": "p.case_id",
    "items": "p.case_id",
}
# Audit actions after which everything is read again: they change rows of many cases at once
# and name none (rescoring every response of an instrument).
RELOAD_ON = ("monitoring.rescore",)


@dataclass
class Mark:
    """The last audit entry the store has read, and the highest case id it holds."""

    entry_id: int = 0
    entry_hash: str = ""
    case_id: int = 0
    response_id: int = 0  # comparison samples' responses (no case) are found by id


class Store:
    """One process's copy. Use `fresh()`; every method runs under the module's lock."""

    def __init__(self) -> None:
        self.db = duckdb.connect(":memory:", config=_config())
        # The UN M49 regions of countries (shipped data), for the regional breakdowns.
        from remis.programmes.regions import m49_table

        self.db.execute("CREATE TABLE regions (country VARCHAR, region VARCHAR, sub_region VARCHAR)")
        self.db.executemany(
            "INSERT INTO regions VALUES (?, ?, ?)",
            [(code, r.region, r.sub_region) for code, r in sorted(m49_table().items())],
        )
        self.mark: Mark | None = None
        self.caught_up_at: dt.datetime | None = None  # when the copy last caught up
        self.load_seconds = 0.0
        self.loaded_directly = False  # read by DuckDB from the database file or server
        self.vendor = connection.vendor

    def load(self) -> None:
        """Everything again, from the database."""
        start = time.perf_counter()
        mark = _current_mark()
        self.loaded_directly = self._load_directly()
        if not self.loaded_directly:
            for statement in _create_statements():
                self.db.execute(statement)
            self._read_through_django(None)
        self.mark = mark
        self.caught_up_at = _now()
        self.load_seconds = time.perf_counter() - start

    def _load_directly(self) -> bool:
        """DuckDB reads the database itself (much faster than rows through Django), when it
        can see what this connection sees: not inside a transaction, not a database in
        memory. A SQLite file is read in a process of its own (`isolated.py` says why)."""
        if connection.in_atomic_block:
            return False
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            name = str(settings["NAME"])
            if name == ":memory:" or "mode=memory" in name or not Path(name).exists():
                return False
            return self._load_in_child(name)
        if connection.vendor != "postgresql":
            return False
        parts = {
            "dbname": settings.get("NAME"),
            "user": settings.get("USER"),
            "password": settings.get("PASSWORD"),
            "host": settings.get("HOST"),
            "port": settings.get("PORT"),
        }
        dsn = " ".join(f"{k}={_quoted(str(v))}" for k, v in parts.items() if v)
        self.db.execute("LOAD postgres_scanner")
        self.db.execute(f"ATTACH {_literal(dsn)} AS src (TYPE postgres, READ_ONLY)")
        try:
            for statement in _load_statements("src.public."):
                self.db.execute(statement)
        finally:
            self.db.execute("DETACH src")
        return True

    def _load_in_child(self, name: str) -> bool:
        """The copy built by a child process into a DuckDB file, then read from that file.
        False (and the caller reads through Django) when the child fails."""
        with tempfile.TemporaryDirectory(prefix="remis-analytics-") as folder:
            target = Path(folder) / "copy.duckdb"
            job = {
                "target": str(target),
                "config": _config(),
                "statements": [
                    "LOAD sqlite_scanner",
                    f"ATTACH {_literal(name)} AS src (TYPE sqlite, READ_ONLY)",
                    *_load_statements("src."),
                    "DETACH src",
                ],
            }
            child = subprocess.run(  # noqa: S603  (our interpreter, our script, no shell)
                [sys.executable, str(Path(__file__).with_name("isolated.py"))],
                input=json.dumps(job).encode(),
                capture_output=True,
                check=False,
            )
            if child.returncode != 0:
                # DuckDB's messages name tables and SQL, never a value of a row.
                logger.warning(
                    "The statistics' copy could not be read directly (%s); reading through Django.",
                    child.stderr.decode(errors="replace").strip().splitlines()[-1:],
                )
                return False
            self.db.execute(f"ATTACH {_literal(str(target))} AS copy (READ_ONLY)")
            try:
                for table in (*_TYPES, "persons"):
                    self.db.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM copy.{table}")  # noqa: S608
            finally:
                self.db.execute("DETACH copy")
        return True

    def _read_through_django(self, case_ids: Sequence[int] | None) -> None:
        """Rows of these cases (None: all) read by Django and staged into the copy."""
        for table in _TYPES:
            sql = _TABLES[table].format(src="")
            rows = _fetch(sql, case_ids, _CASE_COLUMN.get(table, "case_id"))
            if rows:
                marks = ", ".join(["?"] * len(rows[0]))
                self.db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608
        self.db.execute(f"CREATE OR REPLACE TEMP TABLE staged_persons ({_STAGED_TYPES})")
        rows = _fetch(_STAGED_SQL, case_ids, "c.id")
        if rows:
            marks = ", ".join(["?"] * len(rows[0]))
            self.db.executemany(f"INSERT INTO staged_persons VALUES ({marks})", rows)  # noqa: S608
        self.db.execute(f"INSERT INTO persons {_PERSONS_SELECT.format(persons=_STAGED_PERSONS)}")
        self.db.execute("DROP TABLE staged_persons")

    def reload_cases(self, case_ids: Sequence[int]) -> None:
        """The rows of these cases read again (a case no longer there loses its rows)."""
        ids = sorted(set(case_ids))
        if not ids:
            return
        self.db.execute("CREATE OR REPLACE TEMP TABLE changed (case_id INTEGER)")
        self.db.executemany("INSERT INTO changed VALUES (?)", [(i,) for i in ids])
        for table in ("persons", *_TYPES):
            self.db.execute(f"DELETE FROM {table} WHERE case_id IN (SELECT case_id FROM changed)")  # noqa: S608
        self.db.execute("DROP TABLE changed")
        self._read_through_django(ids)

    def _add_sample_responses(self, after: int, upto: int) -> None:
        """Comparison samples' responses saved since: they belong to no case to read again."""
        if upto <= after:
            return
        sql = _TABLES["responses"].format(src="") + " WHERE r.case_id IS NULL AND r.id > %s AND r.id <= %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [after, upto])
            rows = list(cursor.fetchall())
        if rows:
            marks = ", ".join(["?"] * len(rows[0]))
            self.db.executemany(f"INSERT INTO responses VALUES ({marks})", rows)  # noqa: S608

    def catch_up(self) -> None:
        """Read what changed since the last time (see the module's docstring)."""
        from remis.audit.models import AuditEntry
        from remis.cases.models import Case

        mark = self.mark
        if mark is None or not _still_there(mark):
            self.load()
            return
        head = _current_mark()
        if head.response_id < mark.response_id:  # responses gone: a rolled-back import, a test
            self.load()
            return
        if (head.entry_id, head.case_id, head.response_id) != (mark.entry_id, mark.case_id, mark.response_id):
            since = AuditEntry.objects.filter(id__gt=mark.entry_id, id__lte=head.entry_id)
            if since.filter(action__in=RELOAD_ON).exists():
                self.load()
                return
            named = since.filter(case_uuid__isnull=False).values_list("case_uuid", flat=True).distinct()
            uuids = set(named[: RELOAD_ABOVE + 1])
            ids = set(Case.objects.filter(uuid__in=uuids).values_list("id", flat=True)) if uuids else set()
            # Cases the log does not name: added in bulk by the generator.
            added = Case.objects.filter(id__gt=mark.case_id, id__lte=head.case_id)
            ids |= set(added.values_list("id", flat=True)[: RELOAD_ABOVE + 1])
            if len(uuids) > RELOAD_ABOVE or len(ids) > RELOAD_ABOVE:
                self.load()
                return
            self.reload_cases(sorted(ids))
            self._add_sample_responses(mark.response_id, head.response_id)
            self.mark = head
        self.caught_up_at = _now()

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        return self.db.execute(sql, list(params)).fetchall()


def _config() -> dict[str, Any]:
    """Nothing may be downloaded at run time: extensions come from the installed
    duckdb-ext-* packages and none is installed or loaded by itself."""
    import duckdb_ext  # the namespace package of the duckdb-ext-sqlite and -postgres wheels

    return {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "extension_directory": str(Path(next(iter(duckdb_ext.__path__))) / "extensions"),
        "threads": 2,
    }


def _create_statements() -> list[str]:
    """The copy's tables, empty, with the same declared types whichever way rows come (a
    test compares the two ways)."""
    return [
        *(f"CREATE OR REPLACE TABLE {table} ({types})" for table, types in _TYPES.items()),
        f"CREATE OR REPLACE TABLE persons ({_PERSONS_TYPES})",
    ]


def _load_statements(src: str) -> list[str]:
    """Everything read from the attached database `src` into the copy's tables."""
    persons = _PERSONS.format(src=src)
    return [
        *_create_statements(),
        *(f"INSERT INTO {table} {sql.format(src=src)}" for table, sql in _TABLES.items()),
        # In the order of the day a return counts: a period's rows sit together, and DuckDB
        # skips the row groups outside it (their min/max say so).
        f"INSERT INTO persons {_PERSONS_SELECT.format(persons=persons)} ORDER BY period_day",
    ]


def _quoted(value: str) -> str:
    """A libpq connection-string value: in single quotes, backslash and quote escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _literal(value: str) -> str:
    """A DuckDB string literal (ATTACH takes no parameters)."""
    return "'" + value.replace("'", "''") + "'"


def _fetch(sql: str, case_ids: Sequence[int] | None, case_column: str) -> list[tuple[Any, ...]]:
    params: list[Any] = []
    if case_ids is not None:
        joiner = " AND " if " WHERE " in sql else " WHERE "
        sql = f"{sql}{joiner}{case_column} IN ({', '.join(['%s'] * len(case_ids))})"
        params = list(case_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _now() -> dt.datetime:
    from django.utils import timezone

    return timezone.now()


def _current_mark() -> Mark:
    from remis.audit.models import AuditEntry
    from remis.cases.models import Case
    from remis.monitoring.models import Response

    entry = AuditEntry.objects.order_by("-id").values_list("id", "hash").first()
    case_id = Case.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response_id = Response.objects.order_by("-id").values_list("id", flat=True).first() or 0
    if entry is None:
        return Mark(0, "", case_id, response_id)
    return Mark(entry[0], entry[1], case_id, response_id)


def _still_there(mark: Mark) -> bool:
    from remis.audit.models import AuditEntry

    if mark.entry_id == 0:
        return True  # the log was empty: whatever it holds now is new
    return AuditEntry.objects.filter(id=mark.entry_id, hash=mark.entry_hash).exists()


_lock = threading.RLock()
_store: Store | None = None


def fresh() -> Store:
    """This process's copy, caught up with every committed change. Hold `locked()` while
    using it from several threads (the development server's)."""
    global _store
    with _lock:
        if _store is None or _store.vendor != connection.vendor:
            _store = Store()
        _store.catch_up()
        return _store


def locked() -> threading.RLock:
    return _lock


def reset() -> None:
    """Forget the copy (tests: each starts from its own data)."""
    global _store
    with _lock:
        _store = None
