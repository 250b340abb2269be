"""An edit of a household member is checked as adding one is: a birth that contradicts the
relations (the member's own, or the principal's to every member), a principal of an
unaccompanied child's case made an adult, and a member edited into another's twin; the
case's category moved to unaccompanied child for an adult. Only what the edit changes:
a household recorded otherwise before stays saveable."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from remis.cases import actions
from remis.cases.actions.validation import PersonData
from remis.cases.models import Person
from remis.cases.tests.factories import make_person, register
from remis.lib.errors import ValidationFailed
from remis.programmes.models import MigrantCategory

pytestmark = pytest.mark.django_db


def _edit(world, case, person, **changes):
    person = Person.objects.get(pk=person.pk)
    data = dataclasses.replace(PersonData.from_person(person), **changes)
    return actions.update_person(world.alice, case, person, data, person.version)


def test_a_principal_born_after_their_child_is_refused_and_the_child_stays_editable(world):
    case = register(world)  # the principal born in 1994
    child = actions.add_household_member(
        world.alice, case, make_person(given_name="Awa", date_of_birth=dt.date(2018, 4, 1)), "child"
    ).person
    with pytest.raises(ValidationFailed) as refused:
        _edit(world, case, case.principal, date_of_birth=dt.date(2022, 1, 1))
    assert refused.value.field == "date_of_birth" and "child born before" in refused.value.message
    assert Person.objects.get(pk=case.principal.pk).date_of_birth == dt.date(1994, 5, 17)
    _edit(world, case, child, phone="+224 620 00 00 09")  # the household stays saveable
    with pytest.raises(ValidationFailed) as refused:
        _edit(world, case, child, date_of_birth=None, birth_year_estimated=1960)
    assert refused.value.field == "date_of_birth"
    assert Person.objects.get(pk=child.pk).birth_year_estimated is None


def test_a_member_is_not_edited_into_another_members_twin(world):
    case = register(world)
    principal = case.principal
    other = actions.add_household_member(
        world.alice, case, make_person(given_name="Pedro", family_name="Diallo", sex="M"), "other"
    ).person
    with pytest.raises(ValidationFailed) as refused:
        _edit(
            world,
            case,
            other,
            given_name=principal.given_name,
            family_name=principal.family_name,
            sex=principal.sex,
            date_of_birth=principal.date_of_birth,
        )
    assert "already in the household" in refused.value.message
    assert Person.objects.get(pk=other.pk).given_name == "Pedro"


def test_an_adult_case_is_not_moved_into_the_unaccompanied_child_category(world, api_client):
    case = register(world)  # the principal is an adult
    child_category = MigrantCategory.objects.get(code="unaccompanied_separated_child")
    with pytest.raises(ValidationFailed) as refused:
        actions.update_case_details(
            world.alice,
            case,
            expected_version=case.version,
            category=child_category,
            vulnerabilities=[],
            intended_return_date=None,
            assigned_workers=[],
        )
    assert refused.value.field == "category" and "under 18" in refused.value.message
    answer = api_client.as_(world.alice).patch(
        f"/cases/{case.uuid}", {"version": case.version, "category": "unaccompanied_separated_child"}
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "category"
    # A child's case: the principal is not made an adult by a corrected birth.
    young = register(
        world,
        person=make_person(date_of_birth=dt.date(dt.date.today().year - 15, 1, 1)),
        category="unaccompanied_separated_child",
    )
    with pytest.raises(ValidationFailed) as refused:
        _edit(world, young, young.principal, date_of_birth=dt.date(1990, 1, 1))
    assert refused.value.field == "date_of_birth" and "under 18" in refused.value.message


def test_the_history_names_the_member_each_entry_is_about(world, signed_in):
    """In a household of several, "Edited a person's details" named nobody."""
    import html
    import re

    case = register(world)
    child = actions.add_household_member(
        world.alice,
        case,
        make_person(given_name="Awa", family_name="Barry", date_of_birth=dt.date(2018, 4, 1)),
        "child",
    ).person
    _edit(world, case, child, phone="+224 620 00 00 09")
    actions.change_relation(world.alice, case, Person.objects.get(pk=child.pk), "sibling")
    page = signed_in(world.alice).get(f"/cases/{case.uuid}/").content.decode()
    history = page.split('id="history"', 1)[1]
    rows = re.findall(r"<tr><td>.*?</tr>", history, re.S)
    what = [
        html.unescape(re.sub(r"<[^>]+>", "", re.findall(r"<td>(.*?)</td>", row, re.S)[2])) for row in rows
    ]
    assert "Edited a person's details · Awa Barry" in what, what
    assert any(w.startswith("Corrected a household member's relation · Awa Barry") for w in what), what
