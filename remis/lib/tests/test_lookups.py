"""`__among` finds exactly what `__in` finds, on each engine (the PostgreSQL pass sends the
list as one array), for text, relations, uuids, an empty list, None and a subquery."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from remis.cases.models import Case, Consent
from remis.cases.tests.factories import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world: Any) -> list[Case]:
    return [register(world) for _ in range(3)]


def _same(queryset: Any, **condition: Any) -> list[int]:
    """The ids `__among` finds, after checking `__in` finds the same."""
    ((name, values),) = condition.items()
    among = sorted(queryset.filter(**{f"{name}__among": values}).values_list("pk", flat=True))
    assert among == sorted(queryset.filter(**{f"{name}__in": values}).values_list("pk", flat=True))
    return among


def test_among_finds_what_in_finds(cases: list[Case]) -> None:
    first, second, third = cases
    assert _same(Case.objects, reference=[first.reference, third.reference, "NOT-A-CASE"]) == sorted(
        [first.pk, third.pk]
    )
    assert _same(Case.objects, uuid=[second.uuid, str(third.uuid)]) == sorted([second.pk, third.pk])
    assert _same(Case.objects, principal_id=[first.principal_id]) == [first.pk]
    assert _same(Case.objects, principal=[second.principal_id, None]) == [second.pk]
    consents = Consent.objects.filter(case=first)
    assert _same(Consent.objects, case_id=[first.pk]) == sorted(consents.values_list("pk", flat=True))
    assert _same(Case.objects, reference=[]) == []
    assert _same(Case.objects, reference={first.reference, first.reference}) == [first.pk]
    assert _same(Case.objects, pk=Case.objects.filter(pk=second.pk).values("pk")) == [second.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array form is PostgreSQL's")
def test_a_long_list_is_one_parameter_on_postgresql(cases: list[Case]) -> None:
    references = [c.reference for c in cases] + [f"X-{n}" for n in range(2000)]
    sql, params = Case.objects.filter(reference__among=references).values("pk").query.sql_with_params()
    assert "= ANY(" in sql and len(params) == 1 and len(params[0]) == len(references)
