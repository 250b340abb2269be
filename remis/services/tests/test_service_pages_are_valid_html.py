"""The service map's pages in English, French and Arabic are valid HTML (the Nu checker, as
tests/test_pages_are_valid_html.py runs it for the main pages), with forms showing errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from remis.cases.tests.factories import PASSWORD
from remis.services import actions
from remis.services.tests.factories import make_provider, make_stakeholder
from tests.test_pages_are_valid_html import run_vnu

pytestmark = pytest.mark.django_db


def test_service_pages_are_valid_html_in_every_language(world, tmp_path):
    provider = make_provider()
    make_provider(name="Closed centre", active=False)
    actions.record_quality_assessment(world.bob, provider, assessed_on=dt.date(2026, 5, 1), score=4)
    stakeholder = make_stakeholder()
    pages = [
        ("list", reverse("provider_list"), None),
        ("list-search", reverse("provider_list") + "?q=kaloum&sector=vocational_training&status=all", None),
        ("list-empty", reverse("provider_list") + "?q=nothing", None),
        ("detail", reverse("provider_detail", args=[provider.uuid]), None),
        ("new", reverse("provider_create"), None),
        ("new-errors", reverse("provider_create"), {"name": "", "latitude": "99", "country": "GN"}),
        ("edit", reverse("provider_edit", args=[provider.uuid]), None),
        ("quality-errors", reverse("provider_detail", args=[provider.uuid]), {"score": "9"}),
        ("stakeholders", reverse("stakeholder_list"), None),
        ("stakeholder-edit", reverse("stakeholder_edit", args=[stakeholder.pk]), None),
        ("sheet", reverse("country_sheet", args=["GN"]), None),
        ("sheet-empty", reverse("country_sheet", args=["ML"]), None),
    ]
    files: list[Path] = []
    for name, url, data in pages:
        for language in ("en", "fr", "ar"):
            client = Client(HTTP_ACCEPT_LANGUAGE=language)
            assert client.login(username=world.bob.username, password=PASSWORD)
            response = client.get(url) if data is None else client.post(url, data)
            assert response.status_code == 200, (name, language, response.status_code)
            body = response.content.decode()
            assert f'<html lang="{language}"' in body, (name, language)
            path = tmp_path / f"{name}.{language}.html"
            path.write_text(body, encoding="utf-8")
            files.append(path)
    errors = [m for m in run_vnu(files) if m.get("type") != "info"]
    report = [f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}" for m in errors]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(report)
