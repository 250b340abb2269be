"""The export pages, in English, French and Arabic, are valid HTML for the Nu HTML checker:
the list (empty, then with an export), the form of each kind (with errors too), and an
export's page with its file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.test import override_settings
from django.utils import translation

from remis.assistance.tests.test_plan_pages_are_valid_html import render
from remis.cases.tests.factories import make_user
from remis.interop import actions
from tests.test_pages_are_valid_html import Visit, run_vnu

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@override_settings(TASKS=IMMEDIATE)
def test_export_pages_are_valid_html_in_every_language(
    world: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    paula = make_user("paula", world.be_office, "programme_manager", ["BE"])
    files: list[Path] = []
    with translation.override(translation.get_language()):
        render([Visit("exports-empty", paula, "/exports/")], tmp_path, files)
    with django_capture_on_commit_callbacks(execute=True):
        done = actions.request_export(
            paula, kind_code="cases", filters={"stage": "closed"}, file_format="xlsx", labels=True,
            language="en",
        )  # fmt: skip
    # (an impossible date, echoed in a date input, is itself invalid HTML: the pages' tests
    # check that one; here the errors are of kinds a browser lets through)
    bad = {"format": "pdf", "stage": "nowhere", "collected_from": "2026-05-01", "collected_to": "2026-04-01"}
    visits = [
        Visit("exports-list", paula, "/exports/"),
        Visit("exports-new-cases", paula, "/exports/new/cases/?stage=closed"),
        Visit("exports-new-cases-errors", paula, "/exports/new/cases/", bad),
        Visit("exports-new-monitoring", paula, "/exports/new/monitoring/"),
        Visit("exports-new-monitoring-errors", paula, "/exports/new/monitoring/", bad),
        Visit("exports-detail", paula, f"/exports/{done.uuid}/"),
    ]
    with translation.override(translation.get_language()):
        render(visits, tmp_path, files)
    assert "Download the file" in (tmp_path / "exports-detail.en.html").read_text()
    errors = [m for m in run_vnu(files) if m.get("type") != "info"]
    report = [f"{m['message']} at {Path(m.get('url', '')).name}:{m.get('lastLine', '?')}" for m in errors]
    assert not errors, "\n".join(report)
