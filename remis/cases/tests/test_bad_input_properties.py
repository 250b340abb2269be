"""Arbitrary input to registration: either a case, or a refusal naming a field, and never a
half-written record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remis.cases import fields as field_rules
from remis.cases.actions import IdentityDocumentData, PersonData
from remis.cases.models import Case, CaseMember, Person
from remis.cases.tests.factories import register
from remis.lib.errors import DomainError
from remis.lib.fields import BIDI_CONTROLS, Dates, Text, check_values
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


# ---- the declared field rules (remis/cases/fields.py) ----------------------------------------

INVISIBLE = st.sampled_from(
    ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", " ", "\u00a0", "\u200e"]
)
BIDI = st.sampled_from(sorted(BIDI_CONTROLS))
RULE_SETS = {
    name: getattr(field_rules, name) for name in ("PERSON", "DOCUMENT", "CASE", "TRAVEL", "RECEPTION")
}
DATE_FIELDS = [
    (group, name, rule)
    for group, rules in RULE_SETS.items()
    for name, rule in rules.items()
    if isinstance(rule, Dates)
]
TEXT_FIELDS = [
    (group, name, rule)
    for group, rules in {**RULE_SETS, "CONSENT": field_rules.CONSENT, "NOTE": field_rules.NOTE_FIELDS}.items()
    for name, rule in rules.items()
    if isinstance(rule, Text)
]


@given(st.text(INVISIBLE, min_size=1, max_size=20))
def test_text_of_only_invisible_characters_is_refused_in_every_text_field(text):
    today = dt.date(2026, 6, 1)
    for _group, name, rule in TEXT_FIELDS:
        assert rule.problem(text, today), name


@given(st.text(max_size=30), BIDI, st.text(max_size=30))
def test_bidi_embedding_override_or_isolate_is_refused_anywhere_in_any_text(before, control, after):
    today = dt.date(2026, 6, 1)
    for _group, name, rule in TEXT_FIELDS:
        assert rule.problem(before + control + after, today), name


@given(st.text(st.characters(categories=["Nd", "P", "S", "Zs", "Cf"]), min_size=1, max_size=30))
def test_a_name_without_a_letter_is_refused(text):
    assert field_rules.PERSON["given_name"].problem(text, dt.date(2026, 6, 1))


@given(st.data())
def test_text_one_past_the_limit_is_refused_and_at_the_limit_accepted(data):
    _group, name, rule = data.draw(st.sampled_from(TEXT_FIELDS))
    if rule.pattern is not None or rule.email:  # codes and addresses have a shape of their own
        return
    letter = data.draw(st.sampled_from("aéجж字"))
    today = dt.date(2026, 6, 1)
    assert rule.problem(letter * rule.max_length, today) is None, name
    assert rule.problem(letter * (rule.max_length + 1), today), name


@given(st.data(), st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2060, 12, 31)))
def test_every_date_field_accepts_exactly_its_declared_range(data, today):
    group, name, rule = data.draw(st.sampled_from(DATE_FIELDS))
    earliest, latest = rule.bounds(today)
    assert earliest >= dt.date(1900, 1, 1), f"{group}.{name}"
    assert latest <= today + dt.timedelta(days=366 * 20 + 1), f"{group}.{name}: open-ended"
    day = data.draw(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))
    assert (rule.problem(day, today) is None) == (earliest <= day <= latest)


@given(st.from_regex(field_rules.REFERENCE, fullmatch=True))
def test_references_in_the_declared_shape_are_accepted(reference):
    assert field_rules.CASE["reference"].problem(reference, dt.date(2026, 6, 1)) is None


@given(st.text(max_size=40).filter(lambda s: any(ch in s for ch in "./\\ ?#%<>&")))
def test_references_that_could_read_as_a_path_or_markup_are_refused(reference):
    assert field_rules.CASE["reference"].problem(reference, dt.date(2026, 6, 1))


hostile_text = st.one_of(
    names,
    st.text(INVISIBLE, min_size=1, max_size=5),
    st.builds(lambda a, c, b: a + c + b, names, BIDI, names),
    st.builds(lambda n: "x" * n, st.integers(100, 5_000)),
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    given_name=hostile_text,
    family_name=hostile_text,
    alternate_names=hostile_text,
    address=hostile_text,
    email=st.one_of(st.just(""), st.just("not-an-email"), st.emails(), names),
    born=st.one_of(st.none(), st.dates()),
    expires=st.one_of(st.none(), st.dates()),
    returning=st.one_of(st.none(), st.dates()),
)
def test_registration_stores_only_what_the_rules_allow(
    world, given_name, family_name, alternate_names, address, email, born, expires, returning
):
    """Whatever arrives, what is stored satisfies every declared rule; what is refused is
    refused with every field named and nothing written."""
    person = PersonData(
        given_name=given_name,
        family_name=family_name,
        alternate_names=alternate_names,
        address=address,
        email=email,
        date_of_birth=born,
        documents=[IdentityDocumentData(kind="passport", number="G1", expires_on=expires)],
    )
    before = Person.objects.count()
    try:
        case = register(world, person=person, intended_return_date=returning)
    except DomainError as error:
        assert all(field for field, _ in error.errors), error.errors
        assert Person.objects.count() == before
    else:
        today = timezone.localdate()
        stored = case.principal
        values = {name: getattr(stored, name) for name in field_rules.PERSON}
        assert check_values(field_rules.PERSON, values, today) == []
        document = stored.identity_documents.get()
        assert check_values(field_rules.DOCUMENT, {"expires_on": document.expires_on}, today) == []
        assert (
            check_values(field_rules.CASE, {"intended_return_date": case.intended_return_date}, today) == []
        )
