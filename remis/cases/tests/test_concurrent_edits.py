"""Parallel API requests on the same case, each thread on its own connection, on SQLite and
PostgreSQL: an accept and a reject of one submission never both succeed, a case is never
submitted to two partners at once, and a one-per-case record is never created twice."""

from __future__ import annotations

import datetime as dt
import functools
from functools import partial

import pytest
from django.test import Client

from remis.accounts.system import system_actor
from remis.accounts.tests.tokens import bearer_key
from remis.audit.models import AuditEntry
from remis.cases import actions
from remis.cases.models import CaseAccess, ReturnTravel, Submission
from remis.cases.tests.factories import make_user, register
from remis.programmes import actions as programmes
from remis.programmes.models import PartnerRole

ROUNDS = 4


def _caller(user):
    """A function calling the API as `user` with its own client (its own connection)."""
    raw = bearer_key(user, "parallel")

    def call(method: str, path: str, body: dict):
        client = Client()
        send = getattr(client, method)
        response = send(
            f"/api/v1{path}", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
        )
        return response.status_code

    return call


def _consented_case(world, alice):
    case = register(world)
    actions.record_consent(alice, case, purpose="sharing_with_partners", given=True, given_on=dt.date.today())
    return case


def test_accept_and_reject_of_one_submission_never_both_succeed(parallel_db, world, alice, bob):
    for _round in range(ROUNDS):
        case = _consented_case(world, alice)
        submission = actions.submit_case(alice, case, world.gn_partner)
        bobs = [_caller(bob), _caller(bob)]
        path = f"/cases/{case.uuid}/submissions/{submission.pk}/answer"
        statuses = parallel_db(
            partial(bobs[0], "post", path, {"accept": True}),
            partial(bobs[1], "post", path, {"accept": False, "reason": "Not in our area"}),
        )
        # The loser is refused: "already answered" (422), or, when the rejection won, the
        # partner no longer has the case (403, or 410: its access ended, with the day).
        assert statuses.count(200) == 1 and set(statuses) - {200} <= {403, 404, 410, 422}, statuses
        submission.refresh_from_db()
        access = CaseAccess.objects.get(case=case, organisation=world.gn_partner)
        answers = AuditEntry.objects.filter(case_uuid=case.uuid, action__in=["case.accept", "case.reject"])
        assert answers.count() == 1
        if submission.status == "accepted":
            assert access.revoked_at is None and access.reason == "accepted"
            assert answers.get().action == "case.accept"
        else:
            assert access.revoked_at is not None
            assert answers.get().action == "case.reject"


def test_a_case_is_never_submitted_to_two_partners_at_once(parallel_db, world, alice):
    from remis.accounts import actions as accounts
    from remis.accounts.models import OrganisationType

    other = accounts.create_organisation(
        system_actor(), name="Conakry Avenir", kind=OrganisationType.NGO, country="GN"
    )
    programmes.add_partner(system_actor(), world.programme, other, PartnerRole.REINTEGRATION_PARTNER, ["GN"])
    for _round in range(ROUNDS):
        case = _consented_case(world, alice)
        alices = [_caller(alice), _caller(alice)]
        path = f"/cases/{case.uuid}/submissions"
        statuses = parallel_db(
            partial(alices[0], "post", path, {"to_organisation_id": world.gn_partner.pk}),
            partial(alices[1], "post", path, {"to_organisation_id": other.pk}),
        )
        assert sorted(statuses) == [201, 422], statuses
        assert Submission.objects.filter(case=case).count() == 1
        partners = CaseAccess.objects.filter(
            case=case, organisation__in=[world.gn_partner, other], revoked_at__isnull=True
        )
        assert partners.count() == 1


@pytest.mark.races("remis.cases.actions.journey.save_travel")
def test_travel_is_never_created_twice(parallel_db, world, alice):
    make_user("amadou", world.be_office, "counsellor", ["BE"])
    for _round in range(ROUNDS):
        case = register(world)
        alices = [_caller(alice), _caller(alice)]
        path = f"/cases/{case.uuid}/travel"
        today = dt.date.today()
        statuses = parallel_db(
            partial(alices[0], "put", path, {"departure_date": str(today), "route": "BRU-CKY"}),
            partial(alices[1], "put", path, {"departure_date": str(today), "route": "BRU-DKR-CKY"}),
        )
        assert sorted(statuses) in ([200, 409], [200, 422]), statuses
        assert ReturnTravel.objects.filter(case=case).count() == 1
        assert AuditEntry.objects.filter(case_uuid=case.uuid, action="case.travel").count() == 1


@pytest.mark.races("remis.cases.actions.lifecycle.transition_case")
def test_two_moves_from_one_read_move_the_case_once(parallel_db, world, alice):
    """A move to the next stage and a closure sent from the same read of the case: one
    wins; the other is told the case changed (409) or, when it read the case after the
    winner's commit, that the move is no longer allowed (422); one transition row, one
    audit entry, and the stage is the winner's."""
    from remis.cases.models import Case, Transition

    carla = make_user("carla", world.be_office, "programme_manager", ["BE"])  # may close
    for _round in range(ROUNDS):
        case = register(world)
        path = f"/cases/{case.uuid}/transitions"
        version = case.version
        statuses = parallel_db(
            partial(_caller(alice), "post", path, {"stage": "counselling", "version": version}),
            partial(
                _caller(carla),
                "post",
                path,
                {"stage": "closed", "closure_reason": "withdrew", "version": version},
            ),
        )
        assert sorted(statuses) in ([200, 409], [200, 422]), statuses
        case = Case.objects.get(pk=case.pk)
        winner = "counselling" if statuses[0] == 200 else "closed"
        assert case.stage == winner and case.version == version + 1
        moves = Transition.objects.filter(case=case).exclude(from_stage="")
        assert [m.to_stage for m in moves] == [winner], list(moves.values_list("from_stage", "to_stage"))
        entries = AuditEntry.objects.filter(case_uuid=case.uuid, action="case.transition")
        assert entries.count() == 1
        assert entries.get().actor_id == (alice if winner == "counselling" else carla).pk


@pytest.mark.races("remis.cases.actions.lifecycle.reopen_case")
def test_a_closed_case_reopened_twice_at_once_is_reopened_once(parallel_db, world):
    from remis.cases.models import Case

    carla, marc = (
        make_user(name, world.be_office, "programme_manager", ["BE"]) for name in ("carla", "marc")
    )
    for _round in range(ROUNDS):
        case = actions.close_case(carla, register(world), "withdrew")
        path = f"/cases/{case.uuid}/reopen"
        body = {"reason": "Came back to the office", "version": case.version}
        statuses = parallel_db(
            partial(_caller(carla), "post", path, body), partial(_caller(marc), "post", path, body)
        )
        assert sorted(statuses) in ([200, 409], [200, 422]), statuses
        assert Case.objects.get(pk=case.pk).stage == "registered"
        assert AuditEntry.objects.filter(case_uuid=case.uuid, action="case.transition").count() == 2


def test_an_identity_document_added_or_removed_from_two_tabs_at_once_is_so_once(parallel_db, world, alice):
    from remis.cases.actions import IdentityDocumentData
    from remis.cases.models import IdentityDocument

    for _round in range(ROUNDS):
        case = register(world)
        person = case.principal
        passport = IdentityDocumentData(kind="passport", number="P 555", issuing_country="GN")
        add = functools.partial(actions.add_identity_document, alice, case, person, passport)
        added = parallel_db(add, add)
        assert sorted(type(r).__name__ for r in added) == ["Duplicate", "IdentityDocument"], added
        document = IdentityDocument.objects.get(person=person, number="P 555")
        remove = functools.partial(actions.remove_identity_document, alice, case, document)
        removed = parallel_db(remove, remove)
        assert sorted(type(r).__name__ for r in removed) == ["NoneType", "NotFound"], removed
        assert AuditEntry.objects.filter(action="identity_document.remove", case_uuid=case.uuid).count() == 1
