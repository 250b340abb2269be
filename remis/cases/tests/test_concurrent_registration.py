"""The same registration sent three times at once (a double click, a slow network): one
case, the others told of it. Each read no twin before any was written, and three cases were
made for one person."""

from __future__ import annotations

from typing import Any

from remis.cases import actions
from remis.cases.models import Case
from remis.cases.tests.factories import make_person
from remis.lib.errors import Duplicate
from remis.programmes.models import MigrantCategory


def test_one_person_registered_three_times_at_once_is_one_case(parallel_db: Any, world: Any) -> None:
    person = make_person(given_name="Sekou", family_name="Touré", sex="M")
    category = MigrantCategory.objects.get(code="rejected_asylum_seeker")

    def register() -> Case:
        return actions.register_case(
            world.alice,
            world.be_office,
            programme=world.programme,
            category=category,
            host_country="BE",
            origin_country="GN",
            person=person,
            check_twins=True,
        )

    results = parallel_db(register, register, register)
    made = [r for r in results if isinstance(r, Case)]
    told = [r for r in results if isinstance(r, Duplicate)]
    assert len(made) == 1 and len(told) == 2, results
    assert Case.objects.count() == 1
    assert all(made[0].reference in str(t.message) for t in told)


def test_one_returnee_opened_twice_at_once_after_arrival_is_one_case(parallel_db: Any, world: Any) -> None:
    from django.utils import timezone

    person = make_person(given_name="Aminata", family_name="Camara", sex="F")
    category = MigrantCategory.objects.get(code="irregular_migrant")

    def open_case() -> Case:
        return actions.open_post_arrival_case(
            world.bob,
            world.gn_partner,
            programme=world.programme,
            category=category,
            host_country="BE",
            origin_country="GN",
            arrival_date=timezone.localdate(),
            person=person,
            check_twins=True,
        )

    results = parallel_db(open_case, open_case)
    assert sum(isinstance(r, Case) for r in results) == 1, results
    assert sum(isinstance(r, Duplicate) for r in results) == 1, results
    assert Case.objects.count() == 1
