"""Arbitrary input to registration: either a case, or a refusal naming a field, and never a
half-written record."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remis.cases.actions import PersonData
from remis.cases.models import Case, CaseMember, Person
from remis.cases.tests.factories import register
from remis.lib.errors import DomainError
from remis.lib.text import fold

names = st.text(min_size=0, max_size=40)
countries = st.one_of(st.sampled_from(["GN", "SN", "BE", "IQ", "gn"]), st.text(min_size=0, max_size=3))
dates = st.one_of(st.none(), st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2100, 1, 1)))


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    given_name=names,
    family_name=names,
    nationality=countries,
    origin=countries,
    born=dates,
    sex=st.sampled_from(["F", "M", "X", "U", "?"]),
    year=st.one_of(st.none(), st.integers(-5, 3000)),
)
def test_registration_writes_all_or_nothing(
    world, given_name, family_name, nationality, origin, born, sex, year
):
    before = (Case.objects.count(), Person.objects.count(), CaseMember.objects.count())
    person = PersonData(
        given_name=given_name,
        family_name=family_name,
        sex=sex,
        date_of_birth=born,
        birth_year_estimated=year,
        nationality=nationality,
    )
    try:
        case = register(world, person=person, origin=origin)
    except DomainError as error:
        assert error.errors and all(field for field, _ in error.errors), error.errors
        assert (Case.objects.count(), Person.objects.count(), CaseMember.objects.count()) == before
    else:
        assert case.members.count() == 1
        assert Case.objects.count() == before[0] + 1


@given(st.text(max_size=60))
def test_folding_is_idempotent_and_lower_case(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == folded.casefold()
