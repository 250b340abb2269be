"""The plan pages, in English, French and Arabic, are valid HTML for the Nu HTML checker
(the same checker and one JVM run as tests/test_pages_are_valid_html.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from remis.assistance import actions
from remis.assistance.tests.factories import approved_plan, case_at_plan, first_item
from remis.cases.tests.factories import PASSWORD
from tests.test_pages_are_valid_html import LANGUAGES, Visit, run_vnu

pytestmark = pytest.mark.django_db


def test_plan_pages_are_valid_html_in_every_language(world, case, manon, ines, today, tmp_path):
    first = approved_plan(world, case, ines, ("400", "200"))
    second = actions.open_new_version(world.bob, first.plan, reason="More stock")
    item = first_item(first)
    actions.record_instalment(world.bob, item, paid_on=today, amount="100", currency="EUR")
    submitted = case_at_plan(world)
    # Submitted with its rate, which is then gone (a month without it): the approver's page
    # says which rate is missing.
    from remis.assistance.models import ExchangeRate
    from remis.assistance.tests.factories import draft_plan

    actions.record_exchange_rate(
        manon, month=timezone.localdate(), currency="GNF", to_currency="EUR", rate="0.0001"
    )
    actions.submit_plan(world.bob, draft_plan(world.bob, submitted, ("3000",), currency="GNF"))
    ExchangeRate.objects.all().delete()
    plan = reverse("plan_detail", args=[case.uuid])
    visits = [
        Visit("plan-draft", world.bob, plan),
        Visit(
            "plan-item-errors",
            world.bob,
            plan,
            {"step": "item", "number": 2, "expected_version": second.version, "goal": 0, "amount": "x"},
        ),
        Visit("plan-first-version", world.bob, plan + "?v=1"),
        Visit("plan-to-approve", manon, reverse("plan_detail", args=[submitted.uuid])),
        Visit("plan-case-panel", world.bob, reverse("case_detail", args=[case.uuid])),
        Visit("plan-item", world.bob, reverse("plan_item", args=[case.uuid, item.pk])),
        Visit(
            "plan-item-pay-errors",
            world.bob,
            reverse("plan_item", args=[case.uuid, item.pk]),
            {"step": "pay", "paid_on": today.isoformat(), "amount": "-1", "currency": "EUR"},
        ),
        Visit(
            "plan-item-draft",
            world.bob,
            reverse("plan_item", args=[case.uuid, second.items.order_by("id")[0].pk]),
        ),
        Visit("plan-compare", world.bob, reverse("plan_compare", args=[case.uuid])),
        Visit("plan-work-approve", manon, reverse("plan_work", args=["approve"])),
        Visit("plan-work-instalments", world.bob, reverse("plan_work", args=["instalments"])),
        Visit("plan-budget", manon, reverse("assistance_budget")),
        Visit("plan-thresholds", manon, reverse("approval_thresholds", args=[world.programme.code])),
        Visit(
            "plan-thresholds-errors",
            manon,
            reverse("approval_thresholds", args=[world.programme.code]),
            {"effective_from": "", "manager_above": "x", "two_above": "1"},
        ),
        Visit("plan-proposed-types", manon, reverse("proposal_rules", args=[world.programme.code])),
        Visit(
            "plan-rates-errors", manon, reverse("exchange_rates"), {"month": "", "currency": "Q", "rate": "x"}
        ),
    ]
    files: list[Path] = []
    # The locale middleware leaves the last request's language active in this thread:
    # restore it afterwards, or later tests would read Arabic.
    with translation.override(translation.get_language()):
        render(visits, tmp_path, files)
    errors = [m for m in run_vnu(files) if m.get("type") != "info"]
    report = [f"{m['message']} at {Path(m.get('url', '')).name}:{m.get('lastLine', '?')}" for m in errors]
    assert not errors, "\n".join(report)


def render(visits: list[Visit], directory: Path, files: list[Path]) -> None:
    for visit in visits:
        for language in LANGUAGES:
            client = Client(HTTP_ACCEPT_LANGUAGE=language)
            assert client.login(username=visit.user.username, password=PASSWORD)
            response = client.get(visit.url) if visit.data is None else client.post(visit.url, visit.data)
            assert response.status_code == 200, (visit.name, language, response.status_code)
            path = directory / f"{visit.name}.{language}.html"
            path.write_text(response.content.decode(), encoding="utf-8")
            files.append(path)
