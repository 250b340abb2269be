"""Cases that returned before monitoring existed get their rounds from the command, once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from remis.cases.tests.factories import register, returned_case
from remis.monitoring.models import FollowUp

pytestmark = pytest.mark.django_db


def test_returned_cases_without_rounds_are_scheduled_once(world):
    returned = returned_case(world)  # events not delivered here: no rounds yet
    waiting = register(world)  # not returned: nothing to schedule
    assert not FollowUp.objects.exists()
    out = StringIO()
    call_command("schedule_follow_ups", stdout=out)
    assert "1 cases scheduled" in out.getvalue()
    assert FollowUp.objects.filter(case=returned).count() == 3
    assert not FollowUp.objects.filter(case=waiting).exists()
    call_command("schedule_follow_ups", stdout=StringIO())
    assert FollowUp.objects.count() == 3
