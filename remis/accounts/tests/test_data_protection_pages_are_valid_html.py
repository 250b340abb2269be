"""The pages this issue added, in English, French and Arabic, are valid HTML for the Nu HTML
checker: two-factor settings, set-up (with its QR code), the code page, the recovery codes
shown once, the read log, a case page with an erasure waiting for approval, and the
programme settings with the retention column."""

from __future__ import annotations

from pathlib import Path

from django.test import Client
from django.urls import reverse
from django.utils import translation

from remis.accounts.tests.second_factor import authenticator
from remis.assistance.tests.test_plan_pages_are_valid_html import render
from remis.cases import actions
from remis.cases.tests.factories import PASSWORD, make_user, register, second_eraser
from tests.test_pages_are_valid_html import LANGUAGES, Visit, run_vnu


def _save(response, tmp_path: Path, name: str, files: list[Path]) -> None:
    path = tmp_path / name
    path.write_text(response.content.decode(), encoding="utf-8")
    files.append(path)


def test_data_protection_pages_are_valid_html_in_every_language(world, carol, tmp_path):
    files: list[Path] = []
    case = register(world)
    dpo = make_user("dpo", world.be_office, "data_protection_focal_point", ["BE"])
    actions.request_erasure(world.admin, case, case.principal, "data_subject_request")
    visits = [
        Visit("two-factor", world.alice, reverse("two_factor")),
        Visit("two-factor-replace", world.alice, reverse("two_factor_setup")),
        Visit("case-erasure-pending", second_eraser(world), reverse("case_detail", args=[case.uuid])),
        Visit("case-erasure-mine", world.admin, reverse("case_detail", args=[case.uuid])),
        Visit("read-log", dpo, reverse("read_log")),
        Visit("programme-settings", world.admin, reverse("programme_settings", args=[world.programme.code])),
    ]
    with translation.override(translation.get_language()):
        render(visits, tmp_path, files)
    authenticator(world.bob)
    for language in LANGUAGES:
        # Signed in with the password only: the code page, and set-up for one who has none.
        steps = ((world.bob, "two_factor_verify", "code"), (carol, "two_factor_setup", "set-up"))
        for user, url, name in steps:
            client = Client(HTTP_ACCEPT_LANGUAGE=language)
            client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
            page = client.get(reverse(url))
            assert page.status_code == 200, (name, language)
            _save(page, tmp_path, f"two-factor-{name}.{language}.html", files)
            refused = client.post(reverse(url), {"code": "12"})
            assert refused.status_code == 400, (name, language)
            _save(refused, tmp_path, f"two-factor-{name}-refused.{language}.html", files)
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(world.alice)
        shown = client.post(reverse("two_factor"), {"step": "new_codes"}, follow=True)
        assert shown.status_code == 200 and b'id="recovery-codes"' in shown.content, language
        _save(shown, tmp_path, f"two-factor-codes.{language}.html", files)
    erasure_page = (tmp_path / "case-erasure-pending.en.html").read_text()
    assert "Approve and erase" in erasure_page
    assert "<svg" in (tmp_path / "two-factor-set-up.en.html").read_text()
    errors = [m for m in run_vnu(files) if m.get("type") != "info"]
    report = [f"{m['message']} at {Path(m.get('url', '')).name}:{m.get('lastLine', '?')}" for m in errors]
    assert not errors, "\n".join(report)
