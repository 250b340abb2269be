"""Two people saving the same draft at once: one wins, the other gets a Conflict, nothing
is silently overwritten (threads on their own connections, on SQLite and PostgreSQL)."""

from __future__ import annotations

from remis.assessments import actions
from remis.assessments.models import Assessment, AssessmentFlag, FlagDecision
from remis.assessments.tests.factories import answers
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import make_user, returned_case
from remis.lib.errors import Conflict


def test_two_saves_of_one_draft_one_wins(parallel_db, world):
    case = returned_case(world)
    other = make_user("bintou", world.gn_partner, "case_worker", ["GN"])
    draft = actions.record_assessment(world.bob, case, {"housing": "rented"})

    def save(user, housing):
        mine = Assessment.objects.get(pk=draft.pk)
        return actions.save_assessment(user, mine, {"housing": housing}, expected_version=1)

    results = parallel_db(lambda: save(world.bob, "owned"), lambda: save(other, "shelter"))
    assert sum(isinstance(r, Conflict) for r in results) == 1
    winner = "owned" if not isinstance(results[0], Conflict) else "shelter"
    stored = Assessment.objects.get(pk=draft.pk)
    assert stored.answers == {"housing": winner} and stored.version == 2


def test_two_decisions_on_the_same_flags_one_wins(parallel_db, world):
    case = returned_case(world)
    other = make_user("bintou", world.gn_partner, "case_worker", ["GN"])
    done = actions.record_assessment(world.bob, case, answers(), complete=True)

    read = done.version  # both decide on the assessment as they read it

    def decide(user, confirmed):
        mine = Assessment.objects.get(pk=done.pk)
        return actions.confirm_flags(user, mine, confirmed, expected_version=read)

    results = parallel_db(lambda: decide(world.bob, ["medical_condition"]), lambda: decide(other, []))
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    flag = AssessmentFlag.objects.get(assessment=done)
    confirmed = flag.decision == FlagDecision.CONFIRMED
    assert confirmed == case.vulnerabilities.filter(code="medical_condition").exists()


def test_two_revisions_of_one_assessment_at_once_open_one_draft(parallel_db, world):
    """ "Revise" pressed by two people (or twice) at once: one draft, which both are given,
    and one audit entry; the completed assessment stays as it was."""
    case = returned_case(world)
    other = make_user("bintou", world.gn_partner, "case_worker", ["GN"])
    for _round in range(3):
        done = actions.record_assessment(world.bob, case, answers(), complete=True)
        results = parallel_db(
            lambda done=done: actions.revise_assessment(world.bob, Assessment.objects.get(pk=done.pk)),
            lambda done=done: actions.revise_assessment(other, Assessment.objects.get(pk=done.pk)),
        )
        assert all(isinstance(r, Assessment) for r in results), results
        drafts = Assessment.objects.filter(revises=done)
        assert drafts.count() == 1 and {r.pk for r in results} == {drafts.get().pk}
        assert (
            AuditEntry.objects.filter(action="assessment.revise", object_id=str(drafts.get().pk)).count() == 1
        )
        assert Assessment.objects.get(pk=done.pk).status == "completed"
        # The draft completed, the next round revises anew.
        actions.save_assessment(world.bob, drafts.get(), answers(), expected_version=1, complete=True)


def test_revising_an_assessment_being_revised_opens_its_draft(world):
    case = returned_case(world)
    done = actions.record_assessment(world.bob, case, answers(), complete=True)
    first = actions.revise_assessment(world.bob, done)
    again = actions.revise_assessment(world.bob, Assessment.objects.get(pk=done.pk))
    assert again.pk == first.pk and Assessment.objects.filter(revises=done).count() == 1
