from __future__ import annotations

import datetime as dt

import pytest

from remis.audit.models import AuditEntry
from remis.cases import actions
from remis.cases.lifecycle import JOURNEY, TRANSITIONS, Stage
from remis.cases.models import Case, Transition
from remis.cases.tests.factories import only_cases_guards, register, returned_case
from remis.lib.errors import Conflict, PermissionDenied, TransitionRefused, ValidationFailed

pytestmark = pytest.mark.django_db


def test_every_open_stage_can_close_and_only_move_forward_one_step():
    for i, stage in enumerate(JOURNEY):
        allowed = set(TRANSITIONS[stage])
        assert Stage.CLOSED in allowed
        assert allowed - {Stage.CLOSED} == ({JOURNEY[i + 1]} if i + 1 < len(JOURNEY) else set())
    assert TRANSITIONS[Stage.CLOSED] == ()


def test_skipping_a_stage_is_refused_with_a_clear_message(world, alice):
    case = register(world)
    with pytest.raises(TransitionRefused) as raised:
        actions.transition_case(alice, case, "reception")
    assert "cannot move" in raised.value.message
    case.refresh_from_db()
    assert case.stage == "registered"
    assert not Transition.objects.filter(case=case, to_stage="reception").exists()


def test_planning_the_return_needs_counselling_and_consent(world, alice, today):
    case = register(world)
    actions.transition_case(alice, case, "counselling")
    with pytest.raises(TransitionRefused, match="counselling session"):
        actions.transition_case(alice, case, "return_planned")
    actions.record_counselling(alice, case, held_on=today)
    with pytest.raises(TransitionRefused, match="consent"):
        actions.transition_case(alice, case, "return_planned")
    actions.record_consent(alice, case, purpose="data_processing", given=True, given_on=today)
    actions.transition_case(alice, case, "return_planned")
    assert case.stage == "return_planned"


def test_withdrawn_consent_counts_over_earlier_consent(world, alice, today):
    case = register(world)
    actions.record_consent(alice, case, purpose="data_processing", given=True, given_on=today)
    assert case.has_consent("data_processing")
    actions.record_consent(alice, case, purpose="data_processing", given=False, given_on=today)
    assert not case.has_consent("data_processing")


def test_full_journey_to_closure_and_reopening_keeps_every_transition(world, alice, bob, today):
    case = returned_case(world)
    actions.save_reception(bob, case, expected_version=None, received_on=today, airport_pickup=True)
    with only_cases_guards():
        for stage in ["reception", "assessment", "plan", "assistance", "monitoring"]:
            actions.transition_case(bob, case, stage)
    actions.close_case(bob, case, "completed")
    assert case.stage == "closed" and case.closure_reason == "completed"
    with pytest.raises(TransitionRefused):
        actions.transition_case(bob, case, "monitoring")
    actions.reopen_case(bob, case, "Returnee asked for more support")
    assert case.stage == "monitoring" and case.closure_reason == ""
    stages = list(Transition.objects.filter(case=case).values_list("to_stage", flat=True))
    assert stages[-3:] == ["monitoring", "closed", "monitoring"]
    assert all(t.by_id for t in Transition.objects.filter(case=case))
    reopen = Transition.objects.filter(case=case).last()
    assert reopen is not None and reopen.reason == "Returnee asked for more support"
    # The journey of the reopened case does not show "Closed" as a stage reached.
    from remis.cases.queries import case_overview

    steps = {step.stage: step for step in case_overview(bob, case).journey}
    assert steps["closed"].reached_at is None and steps["monitoring"].current
    # "Returned" on the day of arrival, not the day it was recorded.
    Case.objects.filter(pk=case.pk).update(arrival_date=today - dt.timedelta(days=16))
    case.refresh_from_db()
    steps = {step.stage: step for step in case_overview(bob, case).journey}
    assert steps["returned"].reached_at == today - dt.timedelta(days=16)


def test_closing_needs_a_known_reason_and_reopening_a_reason(world, alice, bob):
    case = register(world)
    with pytest.raises(PermissionDenied):  # counsellors do not close cases
        actions.close_case(alice, case, "withdrew")
    case = returned_case(world)
    with pytest.raises(ValidationFailed) as raised:
        actions.close_case(bob, case, "bored")
    assert raised.value.field == "closure_reason"
    actions.close_case(bob, case, "remigrated")
    with pytest.raises(ValidationFailed) as raised:
        actions.reopen_case(bob, case, "  ")
    assert raised.value.field == "reason"


def test_stale_version_is_a_conflict_not_an_overwrite(world, alice):
    case = register(world)
    same_case_in_another_tab = Case.objects.get(pk=case.pk)
    actions.transition_case(alice, case, "counselling", expected_version=case.version)
    with pytest.raises(Conflict):
        actions.update_case_details(
            alice,
            same_case_in_another_tab,
            expected_version=same_case_in_another_tab.version,
            category=case.category,
            vulnerabilities=[],
            intended_return_date=None,
            assigned_workers=[],
        )
    case.refresh_from_db()
    assert case.stage == "counselling" and case.version == 2


def test_transitions_are_audited_with_before_and_after(world, alice):
    case = register(world)
    actions.transition_case(alice, case, "counselling")
    entry = AuditEntry.objects.filter(action="case.transition", case_uuid=case.uuid).get()
    assert entry.changes == {"stage": ["registered", "counselling"]}
    assert entry.actor == alice


def test_a_closing_without_a_note_reads_in_each_readers_language(world, bob):
    """Closed by a French reader without a note, the transition named the reason in French
    to everyone (an Arabic page showed "Achevé"): it names it in the reader's language."""
    from django.utils import translation

    case = returned_case(world)
    with translation.override("fr"):
        actions.close_case(bob, case, "completed")
    closing = Transition.objects.filter(case=case, to_stage="closed").get()
    with translation.override("ar"):
        assert closing.reason_shown == "مكتمل"
    with translation.override("en"):
        assert closing.reason_shown == "Completed"
    actions.reopen_case(bob, case, "Asked for more support")
    actions.close_case(bob, case, "remigrated", note="Left for Morocco in May")
    noted = Transition.objects.filter(case=case, to_stage="closed").last()
    assert noted is not None and noted.reason_shown == "Left for Morocco in May"


def test_closings_stored_by_name_are_moved_to_their_code(world):
    """Migration 0018 turns the names earlier closings stored, in any of the three
    languages, into codes, and leaves a person's own note alone."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("remis.cases.migrations.0018_closing_reason_codes")
    case = register(world)
    stored = ["Achevé", "انسحب", "Lost contact", "Moved to Conakry, then abroad"]
    rows = [Transition.objects.create(case=case, to_stage="closed", reason=r) for r in stored]
    other = Transition.objects.create(case=case, to_stage="counselling", reason="Completed")
    migration.to_codes(apps, None)
    assert [Transition.objects.get(pk=t.pk).reason for t in rows] == [
        "completed",
        "withdrew",
        "lost_contact",
        "Moved to Conakry, then abroad",
    ]
    assert Transition.objects.get(pk=other.pk).reason == "Completed"  # not a closing


def test_the_case_workers_offered_are_those_who_work_on_cases_there(world, alice):
    """The list offered every user of the organisations with access: M&E officers, the
    data-protection focal point, members covering other countries, deactivated ones."""
    from remis.accounts import actions as accounts
    from remis.accounts.models import Membership
    from remis.cases.queries import assignable_workers
    from remis.cases.tests.factories import make_user

    case = register(world)  # Belgium to Guinea, registered by the Belgian office
    colleague = make_user("awa", world.be_office, "counsellor", ["BE"])
    origin_side = make_user("sekou", world.be_office, "case_worker", ["GN"])
    make_user("mona", world.be_office, "me_officer", ["BE"])
    make_user("dina", world.be_office, "data_protection_focal_point", ["BE"])
    make_user("nour", world.be_office, "counsellor", ["NL"])  # another country
    leaver = make_user("leo", world.be_office, "counsellor", ["BE"])
    accounts.deactivate_membership(world.admin, Membership.objects.get(user=leaver))
    offered = {u.username for u in assignable_workers(case)}
    assert {"alice", "awa", "sekou"} <= offered
    assert not offered & {"mona", "dina", "nour", "leo"}
    # Someone assigned stays offered after moving to other work, so an untouched save keeps them.
    actions.update_case_details(
        alice,
        case,
        expected_version=case.version,
        category=case.category,
        vulnerabilities=[],
        intended_return_date=None,
        assigned_workers=[colleague],
    )
    Membership.objects.filter(user=colleague).update(countries=["NL"])
    assert "awa" in {u.username for u in assignable_workers(case)}
    assert origin_side.username in offered


def test_a_case_is_returned_once_the_returnee_has_arrived(world, alice, today):
    """Moved to Returned before the arrival planned, its reception (dated today) was then
    refused as before the arrival."""
    import datetime as dt

    from remis.cases.tests.factories import accepted_case

    case = accepted_case(world)
    actions.transition_case(alice, case, "counselling")
    actions.transition_case(alice, case, "return_planned")
    later = today + dt.timedelta(days=10)
    actions.save_travel(alice, case, expected_version=None, departure_date=later, arrival_date=later)
    case.refresh_from_db()
    with pytest.raises(TransitionRefused) as refused:
        actions.transition_case(alice, case, "returned")
    assert "the case is returned once the returnee has arrived" in refused.value.message
    case.refresh_from_db()
    assert case.stage == "return_planned"
