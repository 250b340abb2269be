from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from remis.audit.labels import ACTION_LABELS
from remis.audit.models import AuditEntry
from remis.cases import actions
from remis.cases.tests.factories import PASSWORD, make_person, returned_case

pytestmark = pytest.mark.django_db


def test_every_action_of_a_journey_has_a_label_people_read(client, world, alice):
    case = returned_case(world)
    actions.add_household_member(alice, case, make_person(given_name="Kadiatou"), "child")
    actions.add_note(alice, case, "Synthetic note")
    codes = set(AuditEntry.objects.values_list("action", flat=True))
    assert codes - set(ACTION_LABELS) == set()

    assert client.login(username="alice", password=PASSWORD)
    page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert "Submitted the case to a partner" in page and ">case.submit<" not in page
    with translation.override("fr"):
        assert str(ACTION_LABELS["case.submit"]) != "Submitted the case to a partner"


def test_a_field_named_for_one_kind_of_record_keeps_its_label_elsewhere(world, alice):
    """The webhooks' "Reason for the pause" (their subscriptions' `reason`) was the label of
    every "reason" in every history: a new plan version read "Reason for the pause: …"."""
    from remis.audit.presentation import describe_entries

    entry = AuditEntry(
        action="assistance.version_open",
        object_type="assistance.planversion",
        object_id="1",
        changes={"reason": [None, "Psychosocial support added"]},
    )
    paused = AuditEntry(
        action="webhook.pause",
        object_type="webhooks.subscription",
        object_id="1",
        changes={"reason": [None, "failing"]},
    )
    plan_line, webhook_line = (
        view.changes[0] for view in describe_entries([entry, paused], groups=frozenset())
    )
    assert plan_line.label != "Reason for the pause"
    assert webhook_line.label == "Reason for the pause"
