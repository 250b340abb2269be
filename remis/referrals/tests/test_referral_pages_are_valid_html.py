"""The referral pages, in English, French and Arabic, are valid HTML for the Nu HTML checker;
the navigation offers the inbox to provider staff and the funnel to those who refer."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse
from django.utils import translation

from remis.assistance.tests.test_plan_pages_are_valid_html import render
from remis.referrals import actions
from remis.referrals.models import Status
from remis.referrals.tests.factories import refer
from tests.test_pages_are_valid_html import Visit, run_vnu


def test_referral_pages_are_valid_html_in_every_language(s, tmp_path):
    referral = refer(s)
    actions.answer_referral(s.pia, referral, Status.ACCEPTED)
    detail = reverse("referral_detail", args=[referral.uuid])
    visits = [
        Visit("referral-case-panel", s.world.bob, reverse("case_detail", args=[s.case.uuid])),
        Visit("referral-detail-case-side", s.world.bob, detail),
        Visit("referral-detail-provider", s.pia, detail),
        Visit(
            "referral-answer-errors", s.pia, detail, {"step": "answer", "status": "completed", "version": 2}
        ),
        Visit("referral-inbox", s.pia, reverse("referral_inbox")),
        Visit("referral-overdue", s.world.bob, reverse("referral_overdue")),
        Visit("referral-declined", s.world.bob, reverse("referral_declined")),
        Visit("referral-funnel", s.world.bob, reverse("referral_funnel")),
        Visit("referral-rules", s.world.admin, reverse("referral_rules", args=[s.case.programme.code])),
        Visit(
            "referral-rules-errors",
            s.world.admin,
            reverse("referral_rules", args=[s.case.programme.code]),
            {"effective_from": "", "overdue_days": "x"},
        ),
    ]
    files: list[Path] = []
    with translation.override(translation.get_language()):
        render(visits, tmp_path, files)
    errors = [m for m in run_vnu(files) if m.get("type") != "info"]
    report = [f"{m['message']} at {Path(m.get('url', '')).name}:{m.get('lastLine', '?')}" for m in errors]
    assert not errors, "\n".join(report)
    provider_page = (tmp_path / "referral-inbox.en.html").read_text(encoding="utf-8")
    assert 'href="/referrals/"' in provider_page and 'href="/referrals/funnel/"' not in provider_page
    worker_page = (tmp_path / "referral-funnel.en.html").read_text(encoding="utf-8")
    assert 'href="/referrals/funnel/"' in worker_page
