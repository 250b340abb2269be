"""`manage.py import_records`: a dry run unless --for-real, the mode chosen explicitly."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from remis.audit.models import AuditEntry
from remis.cases.models import Case
from remis.cases.tests.factories import make_user
from remis.cases.tests.import_files import case_row, cases_csv


@pytest.fixture
def file(tmp_path: Path) -> Path:
    path = tmp_path / "cases.csv"
    path.write_bytes(cases_csv([case_row(), case_row(external_id="OLD-2", given_name="Ousmane")]).getvalue())
    return path


def _run(file: Path, *extra: str) -> str:
    out = io.StringIO()
    call_command("import_records", str(file), "--records", "cases", "--organisation", "IOM Belgium",
                 "--user", "paula", *extra, stdout=out, stderr=io.StringIO())  # fmt: skip
    return out.getvalue()


def test_a_dry_run_checks_and_writes_nothing(world: Any, file: Path) -> None:
    make_user("paula", world.be_office, "programme_manager", ["BE"])
    assert "Would be added: 2;" in _run(file) and not Case.objects.exists()


def test_for_real_needs_a_mode_then_imports_audited_by_the_user(world: Any, file: Path) -> None:
    paula = make_user("paula", world.be_office, "programme_manager", ["BE"])
    with pytest.raises(CommandError, match="--mode"):
        _run(file, "--for-real")
    assert "added 2," in _run(file, "--for-real", "--mode", "valid_rows")
    assert AuditEntry.objects.filter(action="case.import", actor=paula).count() == 2
    assert "already there unchanged" in _run(file, "--for-real", "--mode", "valid_rows")


def test_refused_rows_are_listed_and_fail_the_command(world: Any, tmp_path: Path) -> None:
    make_user("paula", world.be_office, "programme_manager", ["BE"])
    path = tmp_path / "bad.csv"
    path.write_bytes(cases_csv([case_row(), case_row(external_id="OLD-2", sex="Q")]).getvalue())
    report = tmp_path / "refused.csv"
    with pytest.raises(CommandError, match="1 row refused"):
        _run(path, "--for-real", "--mode", "all_or_nothing", "--report", str(report))
    assert not Case.objects.exists()
    assert report.read_text().splitlines()[1].startswith("3,sex,Q,")


def test_a_user_without_the_permission_is_refused(world: Any, file: Path) -> None:
    make_user("paula", world.be_office, "me_officer", ["BE"])
    with pytest.raises(CommandError, match="may not import"):
        _run(file, "--for-real", "--mode", "valid_rows")
    assert not Case.objects.exists()
