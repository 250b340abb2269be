from __future__ import annotations

import base64
import re
import time

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP

from remis.accounts.actions.two_factor import verify_second_factor
from remis.accounts.models import User
from remis.audit.models import AuditEntry
from remis.cases.models import Case
from remis.cases.queries import recent_activity

pytestmark = pytest.mark.django_db


def test_demo_has_played_journeys_with_history_and_a_second_load_adds_nothing(capsys, monkeypatch):
    monkeypatch.setenv("REMIS_DEMO_PORT", "8001")  # bin/demo on another port says where it is
    call_command("load_demo", cases=40)
    out = capsys.readouterr().out
    assert "remis-demo-2026" in out and "counsellor.be" in out
    assert "REMIS demo: http://127.0.0.1:8001/" in out
    stages = set(Case.objects.values_list("stage", flat=True))
    assert {"registered", "counselling", "return_planned", "returned", "reception"} <= stages
    # Staff on both sides of the corridor see who did what.
    assert recent_activity(User.objects.get(username="manager.be"), 12)
    assert recent_activity(User.objects.get(username="caseworker.gn"), 12)
    assert AuditEntry.objects.filter(action="case.transition").count() >= 5

    # Each printed login has an authenticator whose printed secret makes the codes it accepts.
    secrets = dict(re.findall(r"^  (\S+)\s+\S+\s+([A-Z2-7]{32}) ", out, re.MULTILINE))
    assert "counsellor.be" in secrets and "donor" in secrets
    # Two holders of the erasure right in one office (one asks, the other approves), and the
    # office's data-protection focal point for the read log.
    assert {"admin", "admin2", "dpo.be"} <= set(secrets)
    manager = User.objects.get(username="manager.be")
    totp = TOTP(base64.b32decode(secrets["manager.be"]))
    totp.time = time.time() + 30  # the next code: the current one was used to set it up
    assert verify_second_factor(manager, f"{totp.token():06d}")

    cases = Case.objects.count()
    call_command("load_demo", cases=40)
    assert Case.objects.count() == cases
    again = capsys.readouterr().out
    assert "reusing it" in again and secrets["manager.be"] in again  # the same secrets
