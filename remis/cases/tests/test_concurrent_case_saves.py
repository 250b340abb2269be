"""Two people saving the same part of a case at once, each from the page they loaded (the
case's details; the reception record): one save wins whole, the other is told the case
changed, one audit entry is written. Run really in parallel, on both engines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from remis.audit.models import AuditEntry
from remis.cases import actions
from remis.cases.models import Case, Reception
from remis.cases.tests.factories import register, returned_case
from remis.lib.tests.races import one_won
from remis.programmes.models import Vulnerability


def test_two_saves_of_a_cases_details_at_once_one_wins_whole(parallel_db, world, alice):
    case = register(world)
    seen = case.version
    vulnerabilities = list(Vulnerability.objects.filter(sensitive_group="").order_by("code")[:2])
    assert len(vulnerabilities) == 2
    edits = [
        (dt.date(2027, 3, 1), [vulnerabilities[0]]),
        (dt.date(2027, 4, 15), [vulnerabilities[1]]),
    ]

    def save(day: dt.date, chosen: list[Vulnerability]) -> Case:
        return actions.update_case_details(
            alice,
            Case.objects.get(pk=case.pk),
            expected_version=seen,
            category=None,
            vulnerabilities=chosen,
            intended_return_date=day,
            assigned_workers=[],
        )

    results = parallel_db(*[lambda edit=edit: save(*edit) for edit in edits])
    day, chosen = edits[one_won(results)]
    stored = Case.objects.get(pk=case.pk)
    assert stored.version == seen + 1
    assert (stored.intended_return_date, list(stored.vulnerabilities.all())) == (day, chosen)
    assert AuditEntry.objects.filter(action="case.update", case_uuid=case.uuid).count() == 1


def test_two_saves_of_a_reception_at_once_one_wins_whole(parallel_db, world, bob):
    case = returned_case(world)
    today = dt.date.today()
    reception = actions.save_reception(bob, case, expected_version=None, received_on=today)
    seen = reception.version
    entries = AuditEntry.objects.filter(action="case.reception", case_uuid=case.uuid).count()
    edits = [(2, Decimal("50.00"), "EUR"), (4, Decimal("300000.00"), "GNF")]

    def save(nights: int, money: Decimal, currency: str) -> Reception:
        return actions.save_reception(
            bob,
            Case.objects.get(pk=case.pk),
            expected_version=seen,
            received_on=today,
            accommodation_nights=nights,
            pocket_money=money,
            pocket_money_currency=currency,
        )

    results = parallel_db(*[lambda edit=edit: save(*edit) for edit in edits])
    winner = edits[one_won(results)]
    stored = Reception.objects.get(case=case)
    assert stored.version == seen + 1
    assert (stored.accommodation_nights, stored.pocket_money, stored.pocket_money_currency) == winner
    assert AuditEntry.objects.filter(action="case.reception", case_uuid=case.uuid).count() == entries + 1
