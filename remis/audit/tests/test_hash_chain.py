from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from remis.audit.chain import GENESIS, entry_hash
from remis.audit.models import AuditEntry
from remis.cases import actions
from remis.cases.tests.factories import make_person, returned_case

pytestmark = pytest.mark.django_db


def test_every_entry_is_chained_to_the_one_before(world, alice):
    case = returned_case(world)
    actions.add_household_member(alice, case, make_person(given_name="Kadiatou"), "child")
    actions.add_note(alice, case, "Synthetic note")
    entries = list(AuditEntry.objects.order_by("id"))
    previous = GENESIS
    for entry in entries:
        assert entry.hash == entry_hash(entry, previous)
        previous = entry.hash
    assert len({e.hash for e in entries}) == len(entries)


def test_verify_audit_counts_the_entries_of_an_intact_log(world, alice):
    returned_case(world)
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert f"{AuditEntry.objects.count()} entries verified." in out.getvalue()
    assert AuditEntry.objects.latest("id").hash in out.getvalue()


def test_time_in_the_log_never_runs_backwards(world, alice):
    returned_case(world)
    times = list(AuditEntry.objects.order_by("id").values_list("at", flat=True))
    assert times == sorted(times)
