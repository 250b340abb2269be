"""The case history reads plan and referral entries in words: actions, fields, statuses,
types and the fields shared with the provider by their labels, never the logged codes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from remis.audit.labels import ACTION_LABELS
from remis.audit.models import AuditEntry
from remis.referrals import actions
from remis.referrals.models import Status
from remis.referrals.tests.factories import refer

pytestmark = pytest.mark.django_db


def test_plan_and_referral_entries_read_in_words(client, s):
    referral = refer(s)
    actions.answer_referral(s.pia, referral, Status.ACCEPTED)
    codes = set(AuditEntry.objects.filter(case_uuid=s.case.uuid).values_list("action", flat=True))
    assert codes - set(ACTION_LABELS) == set()
    client.force_login(s.world.bob)
    page = client.get(reverse("case_detail", args=[s.case.uuid])).text
    history = page[page.index('id="history"') :] if 'id="history"' in page else page
    assert "Referred an item to a provider" in history and "Accepted the referral" in history
    assert "Shared with the provider" in history
    assert not re.search(r"<bdi>[0-9a-f]{8}-[0-9a-f]{4}-", history)  # the item by its type, not its key
    for code in ("referral.send", "dimension", "modality", "paid_on", "shared", "in_progress"):
        assert not re.search(rf">\s*{code}\s*[:<]", history), code
