"""Two imports of one file at once, each on its own connection (SQLite and PostgreSQL):
every external ID ends up with one case, and both imports finish."""

from __future__ import annotations

from typing import Any

from remis.audit.models import AuditEntry
from remis.cases.models import Case, CaseAccess
from remis.cases.tests.factories import make_user
from remis.cases.tests.import_files import case_row, cases_csv
from remis.interop.actions import import_now
from remis.interop.importing import temporary_report


def test_the_same_file_imported_twice_at_once_makes_each_case_once(parallel_db: Any, world: Any) -> None:
    paula = make_user("paula", world.be_office, "programme_manager", ["BE"])
    pierre = make_user("pierre", world.be_office, "programme_manager", ["BE"])
    data = cases_csv(
        [case_row(external_id=f"OLD-{i}", given_name=f"Name{chr(65 + i)}") for i in range(40)]
    ).getvalue()

    def run(user: Any) -> Any:
        import io

        with temporary_report() as report:
            return import_now(user, world.be_office, entity_code="cases", file=io.BytesIO(data),
                              filename="cases.csv", mode="valid_rows", mapping={}, report=report)  # fmt: skip

    results = parallel_db(lambda: run(paula), lambda: run(pierre))
    assert not any(isinstance(r, BaseException) for r in results), results
    assert sum(r.created for r in results) == 40  # each case added by one of them
    assert sum(r.created + r.unchanged for r in results) == 80
    assert CaseAccess.objects.filter(external_id__startswith="OLD-").count() == 40
    assert Case.objects.count() == 40
    assert AuditEntry.objects.filter(action="case.import").count() == 40
