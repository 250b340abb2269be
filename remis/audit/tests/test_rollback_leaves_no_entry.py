from __future__ import annotations

import pytest
from django.db import transaction

from remis.audit.actions import record
from remis.audit.chain import verify_chain
from remis.audit.models import AuditEntry
from remis.cases import actions
from remis.cases.tests.factories import register

pytestmark = pytest.mark.django_db


class Refused(Exception):
    pass


def test_a_write_rolled_back_leaves_no_entry_and_the_chain_whole(world, alice):
    case = register(world)
    count = AuditEntry.objects.count()
    with pytest.raises(Refused), transaction.atomic():
        record(alice, "case.note", case, case_uuid=case.uuid, changes={"body": [None, "lost"]})
        raise Refused
    assert AuditEntry.objects.count() == count

    actions.add_note(alice, case, "kept")
    assert AuditEntry.objects.count() == count + 1
    assert verify_chain().ok
