"""The monitoring pages, in English, French and Arabic, are valid HTML for the Nu HTML checker."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse
from django.utils import timezone, translation

from remis.assistance.tests.test_plan_pages_are_valid_html import render
from remis.cases import actions as cases
from remis.cases.tests.factories import returned_case
from tests.test_pages_are_valid_html import Visit, run_vnu


def test_monitoring_pages_are_valid_html_in_every_language(
    world, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = returned_case(world)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    round_page = reverse("follow_up_detail", args=[case.uuid, 1])
    scoring = reverse("instrument_scoring", args=["reintegration-sustainability", 1])
    visits = [
        Visit("monitoring-case-panel", world.bob, reverse("case_detail", args=[case.uuid])),
        Visit("monitoring-round", world.bob, round_page),
        Visit(
            "monitoring-round-errors",
            world.bob,
            round_page,
            {"step": "attempt", "attempted_on": "", "channel": "x", "outcome": "", "version": 1},
        ),
        Visit("monitoring-list", world.bob, reverse("follow_up_list")),
        Visit("monitoring-instruments", world.bob, reverse("instrument_list")),
        Visit("monitoring-imports", world.bob, reverse("import_list")),
        Visit("monitoring-schedule", world.admin, reverse("schedule_rules", args=[world.programme.code])),
        Visit("monitoring-list-empty", world.bob, reverse("follow_up_list") + "?state=lost"),
        Visit("monitoring-offices", world.bob, reverse("follow_up_offices")),
        # The platform operator's form for a new version of an instrument's scoring.
        Visit("monitoring-scoring", world.admin, scoring),
    ]
    files: list[Path] = []
    with translation.override(translation.get_language()):
        render(visits, tmp_path, files)
    errors = [m for m in run_vnu(files) if m.get("type") != "info"]
    report = [f"{m['message']} at {Path(m.get('url', '')).name}:{m.get('lastLine', '?')}" for m in errors]
    assert not errors, "\n".join(report)
