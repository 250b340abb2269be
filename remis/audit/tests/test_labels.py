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
