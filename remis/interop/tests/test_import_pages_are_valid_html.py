"""The import pages, in English, French and Arabic, are valid HTML for the Nu HTML checker:
the list (empty, then with an import), the upload form with its errors, the mapping step
with an error, and a report with refused rows and the run-again form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from remis.assistance.tests.test_plan_pages_are_valid_html import render
from remis.cases.tests.factories import make_user
from remis.cases.tests.import_files import HEADER, case_row, cases_csv
from remis.interop import actions
from tests.test_pages_are_valid_html import Visit, run_vnu

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@override_settings(TASKS=IMMEDIATE)
def test_import_pages_are_valid_html_in_every_language(
    world: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    paula = make_user("paula", world.be_office, "programme_manager", ["BE"])
    files: list[Path] = []
    with translation.override(translation.get_language()):
        render([Visit("imports-empty", paula, "/imports/")], tmp_path, files)
    rows = [case_row(), case_row(external_id="OLD-2", sex="Q")]
    with django_capture_on_commit_callbacks(execute=True):
        done = actions.upload_records(
            paula, world.be_office, entity_code="cases", mode="valid_rows",
            upload=SimpleUploadedFile("cases.csv", cases_csv(rows).getvalue()),
        )  # fmt: skip
    renamed = ["Numéro" if h == "external_id" else h for h in HEADER]
    waiting = actions.upload_records(
        paula, world.be_office, entity_code="cases", mode="check",
        upload=SimpleUploadedFile("other.csv", cases_csv([], header=renamed).getvalue()),
    )  # fmt: skip
    visits = [
        Visit("imports-list", paula, "/imports/"),
        Visit("imports-upload-errors", paula, "/imports/", {"entity": "cases", "mode": "valid_rows"}),
        Visit("imports-map", paula, f"/imports/{waiting.uuid}/map/"),
        Visit("imports-map-errors", paula, f"/imports/{waiting.uuid}/map/", {"column_0": ""}),
        Visit("imports-report", paula, f"/imports/{done.uuid}/"),
    ]
    with translation.override(translation.get_language()):
        render(visits, tmp_path, files)
    assert "sex" in (tmp_path / "imports-report.en.html").read_text()
    errors = [m for m in run_vnu(files) if m.get("type") != "info"]
    report = [f"{m['message']} at {Path(m.get('url', '')).name}:{m.get('lastLine', '?')}" for m in errors]
    assert not errors, "\n".join(report)
