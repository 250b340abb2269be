"""Two people adding a household member to the same case at once, each from the case page
they loaded (or one person clicking "Add" twice): one member is added, the other is told the
case changed, and nothing of the refused addition stays behind (no person, no member, no
audit entry). The household size counts the members there are, the case's version moves once
and its search finds the member added, not the refused one.

Each added member reads the household as the page showed it: adding from an outdated page is
a conflict, so that the household size and search text written are never those of a
household someone else has just changed."""

from __future__ import annotations

import pytest

from remis.audit.models import AuditEntry
from remis.cases import actions
from remis.cases.models import Case, CaseMember, Person
from remis.cases.tests.factories import make_person, make_user, register
from remis.lib.tests.races import one_won

NAMES = {
    "two members": (("Sekou", "child"), ("Binta", "spouse")),
    "the same member twice": (("Sekou", "child"), ("Sekou", "child")),
}


@pytest.mark.parametrize("added", list(NAMES))
def test_two_people_adding_household_members_from_the_same_read_one_wins(parallel_db, world, alice, added):
    amadou = make_user("amadou", world.be_office, "counsellor", ["BE"])
    case = register(world, person=make_person(given_name="Aissatou", family_name="Diallo"))
    seen = Case.objects.get(pk=case.pk).version
    persons = Person.objects.count()
    entries = AuditEntry.objects.filter(case_uuid=case.uuid).count()
    people = NAMES[added]
    # Each from the case as their page loaded it, before either added anyone: read here, not
    # in the calls, or a call that starts late reads the other's addition (and rightly adds
    # a third member: a flake, not a race).
    pages = [Case.objects.get(pk=case.pk) for _ in people]
    results = parallel_db(
        *[
            lambda actor=actor, name=name, relation=relation, page=page: actions.add_household_member(
                actor,
                page,
                make_person(given_name=name, family_name="Diallo", sex="M"),
                relation,
            )
            for actor, (name, relation), page in zip((alice, amadou), people, pages, strict=True)
        ]
    )
    winner = one_won(results)
    name, relation = people[winner]
    member = results[winner]
    stored = Case.objects.get(pk=case.pk)
    household = CaseMember.objects.filter(case=case)
    assert sorted(household.values_list("person__given_name", "relation")) == sorted(
        [("Aissatou", "principal"), (name, relation)]
    )
    assert stored.household_size == household.count() == 2
    assert stored.version == seen + 1
    assert Person.objects.count() == persons + 1  # the refused addition left no person
    assert name.lower() in stored.search_text
    if people[0][0] != people[1][0]:
        assert people[1 - winner][0].lower() not in stored.search_text
    logged = AuditEntry.objects.filter(case_uuid=case.uuid).order_by("id")[entries:]
    assert [(e.action, e.object_id) for e in logged] == [
        ("person.create", str(member.person_id)),
        ("case.add_member", str(member.pk)),
    ]
    assert {e.actor_id for e in logged} == {(alice, amadou)[winner].pk}


@pytest.mark.races("remis.cases.actions.registration.change_relation")  # through update_member
def test_two_people_correcting_a_members_relation_at_once_one_wins_whole(parallel_db, world, alice):
    """Relation and details are saved together under the person's version: the second
    correction from the same read is a conflict, and neither its relation nor its details stay."""
    from remis.cases.actions.validation import MemberData

    amadou = make_user("amadou", world.be_office, "counsellor", ["BE"])
    child = MemberData(
        person=make_person(given_name="Sekou", family_name="Diallo", sex="M"), relation="child"
    )
    case = register(world, person=make_person(given_name="Aissatou", family_name="Diallo"), members=[child])
    member = CaseMember.objects.get(case=case, relation="child")
    corrections = (("sibling", "Sekou"), ("spouse", "Sékou"))
    results = parallel_db(
        *[
            lambda actor=actor, relation=relation, name=name: actions.update_member(
                actor,
                Case.objects.get(pk=case.pk),
                Person.objects.get(pk=member.person_id),
                make_person(given_name=name, family_name="Diallo", sex="M"),
                relation,
                expected_version=1,
            )
            for actor, (relation, name) in zip((alice, amadou), corrections, strict=True)
        ]
    )
    winner = one_won(results)
    relation, name = corrections[winner]
    member.refresh_from_db()
    assert (member.relation, member.person.given_name) == (relation, name)
    assert AuditEntry.objects.filter(action="case.change_member", case_uuid=case.uuid).count() == 1
