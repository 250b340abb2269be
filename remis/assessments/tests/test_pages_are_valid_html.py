"""The assessment pages, in English, French and Arabic, are valid HTML for the Nu HTML
checker (one run of it, as tests/test_pages_are_valid_html.py does for the main pages)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from remis.assessments import actions
from remis.assessments.tests.factories import answers
from remis.cases.tests.factories import PASSWORD
from tests.test_pages_are_valid_html import run_vnu

pytestmark = pytest.mark.django_db


def _render(pages: dict[str, tuple[str, Any]], user: Any, directory: Path) -> list[Path]:
    files = []
    for language in ("en", "fr", "ar"):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        assert client.login(username=user.username, password=PASSWORD)
        for name, (url, data) in pages.items():
            response = client.get(url) if data is None else client.post(url, data)
            assert response.status_code == 200, (name, language)
            path = directory / f"{name}.{language}.html"
            path.write_text(response.content.decode(), encoding="utf-8")
            files.append(path)
    return files


def test_assessment_pages_are_valid_html_in_every_language(world, bob, case, tmp_path, today):
    done = actions.record_assessment(bob, case, answers(single_parent="yes"), complete=True)
    draft = actions.record_assessment(bob, case, {"housing": "rented"})
    pages = {
        "case": (reverse("case_detail", args=[case.uuid]), None),
        "list": (reverse("case_assessments", args=[case.uuid]), None),
        "form": (reverse("assessment_record", args=[case.uuid]), None),
        "form-errors": (
            reverse("assessment_record", args=[case.uuid]),
            {"assessed_on": today.isoformat(), "q_age": "old", "complete": "1"},
        ),
        "edit": (reverse("assessment_edit", args=[draft.uuid]), None),
        "detail": (reverse("assessment_detail", args=[done.uuid]), None),
    }
    # Each request activates its language in this thread: the test's own comes back after.
    with translation.override(translation.get_language()):
        files = _render(pages, bob, tmp_path)
    errors = [m for m in run_vnu(files) if m.get("type") != "info"]
    assert not errors, "\n".join(
        f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine')} {m['message']}" for m in errors
    )
