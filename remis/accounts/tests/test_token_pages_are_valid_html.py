"""The API token pages, in English, French and Arabic, are valid HTML for the Nu HTML
checker: the own tokens page (empty, with the form's errors, with a read-only, an expired and
a revoked token, and the new token shown once) and a member's page as their administrator
sees it, with the member's tokens to revoke."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from remis.accounts import actions
from remis.accounts.models import ApiToken, TokenAccess
from remis.assistance.tests.test_plan_pages_are_valid_html import render
from remis.cases.tests.factories import PASSWORD
from tests.test_pages_are_valid_html import LANGUAGES, Visit, run_vnu


def test_token_pages_are_valid_html_in_every_language(world, olga, alice, tmp_path):
    files: list[Path] = []
    with translation.override(translation.get_language()):
        render([Visit("tokens-empty", alice, reverse("api_tokens"))], tmp_path, files)
    _reader, _raw = actions.issue_api_token(alice, name="Reporting <script>", access=TokenAccess.READ)
    old, _raw = actions.issue_api_token(alice, name="Old export", days=30)
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    gone, _raw = actions.issue_api_token(alice, name="Gone")
    actions.revoke_api_token(alice, gone)
    visits = [
        Visit("tokens-list", alice, reverse("api_tokens")),
        Visit("tokens-member", olga, reverse("member_detail", args=[world.be_office.pk, alice.pk])),
    ]
    with translation.override(translation.get_language()):
        render(visits, tmp_path, files)
    for language in LANGUAGES:  # the form's errors (400), then the token shown once after it
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        assert client.login(username=alice.username, password=PASSWORD)
        refused = client.post(reverse("api_tokens"), {"name": "", "access": "x", "days": "7"})
        assert refused.status_code == 400, language
        path = tmp_path / f"tokens-errors.{language}.html"
        path.write_text(refused.content.decode(), encoding="utf-8")
        files.append(path)
        shown = client.post(
            reverse("api_tokens"), {"name": f"CLI {language}", "access": "read", "days": "30"}, follow=True
        )
        assert shown.status_code == 200 and b'id="raw-token"' in shown.content, language
        path = tmp_path / f"tokens-shown.{language}.html"
        path.write_text(shown.content.decode(), encoding="utf-8")
        files.append(path)
    member_page = (tmp_path / "tokens-member.en.html").read_text()
    assert "Reporting &lt;script&gt;" in member_page and "Expired" in member_page and "Revoked" in member_page
    errors = [m for m in run_vnu(files) if m.get("type") != "info"]
    report = [f"{m['message']} at {Path(m.get('url', '')).name}:{m.get('lastLine', '?')}" for m in errors]
    assert not errors, "\n".join(report)
