"""Two people answering one referral at once (an accept and a decline): exactly one wins,
the other gets 409 (or 422 when it reads the winner's status), on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from functools import partial

import pytest
from django.core.management import call_command
from django.test import Client

from remis.accounts.tests.tokens import bearer_key
from remis.referrals import actions
from remis.referrals.models import Status
from remis.referrals.tests.factories import consent, refer, setting

ROUNDS = 3


def _caller(user):
    raw = bearer_key(user, "parallel")

    def call(path: str, body: dict):
        return (
            Client()
            .post(f"/api/v1{path}", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
            .status_code
        )

    return call


@pytest.mark.races("remis.referrals.actions.answer_referral")
def test_an_accept_and_a_decline_never_both_win(parallel_db, world):
    # A flush after an earlier transactional test removed the shipped assistance types.
    call_command("sync_assistance_defaults", stdout=io.StringIO())
    s = setting(world)
    consent(world, s.case)
    for _round in range(ROUNDS):
        referral = refer(s)
        one, two = _caller(s.pia), _caller(s.pia)
        path = f"/referrals/{referral.uuid}/answer"
        statuses = parallel_db(
            partial(one, path, {"status": "accepted", "version": 1}),
            partial(two, path, {"status": "declined", "reason": "Full", "version": 1}),
        )
        assert statuses.count(200) == 1 and set(statuses) - {200} <= {409, 422}, statuses
        referral.refresh_from_db()
        assert referral.status in (Status.ACCEPTED, Status.DECLINED) and referral.version == 2
        if referral.status == Status.ACCEPTED:
            actions.cancel_referral(s.world.bob, referral, reason="Next round")


@pytest.mark.races("remis.referrals.actions.revoke_on_withdrawal")
def test_a_withdrawal_and_a_referral_at_once_never_leave_a_referral_open(parallel_db, world):
    """The two take the case's row lock in turn: either the referral is refused (the
    withdrawal came first) or it is cancelled by the withdrawal's reaction (it came first)."""
    from django.utils import timezone

    from remis.cases import actions as case_actions
    from remis.referrals.models import Referral

    call_command("sync_assistance_defaults", stdout=io.StringIO())
    s = setting(world)
    for _round in range(ROUNDS):
        consent(world, s.case)
        results = parallel_db(
            lambda: actions.refer_item(s.world.bob, s.item, s.provider, message="Please call her"),
            lambda: case_actions.record_consent(
                s.world.bob,
                s.case,
                purpose="sharing_with_providers",
                given=False,
                given_on=timezone.localdate(),
            ),
        )
        assert not isinstance(results[1], Exception), results
        open_ones = Referral.objects.filter(item_key=s.item.key, status=Status.SENT)
        assert not open_ones.exists(), results


@pytest.mark.races("remis.referrals.actions.cancel_for_cancelled_item")
def test_an_item_cancelled_while_the_provider_accepts_leaves_no_referral_open(parallel_db, world):
    """A cancelled plan item's referral stayed "sent" at the provider, Accept offered. The
    item's cancellation cancels its open referrals, whichever of the two comes first."""
    from remis.assistance import actions as plans
    from remis.audit.models import AuditEntry
    from remis.referrals.models import Referral

    call_command("sync_assistance_defaults", stdout=io.StringIO())
    s = setting(world)
    consent(world, s.case)
    referral = refer(s)
    item = s.item
    results = parallel_db(
        lambda: plans.change_item_status(s.world.bob, item, "cancelled", reason="Moved to Conakry"),
        lambda: actions.answer_referral(s.pia, referral, Status.ACCEPTED, expected_version=1),
    )
    assert not isinstance(results[0], Exception), results
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED, results
    assert referral.cancel_reason_shown == "The plan item was cancelled."
    assert not Referral.objects.filter(
        item_key=item.key, status__in=["sent", "accepted", "in_progress"]
    ).exists()
    cancelled = AuditEntry.objects.filter(action="referral.cancel", object_id=str(referral.pk))
    assert cancelled.count() == 1


@pytest.mark.races("remis.referrals.actions.cancel_for_closed_case")
def test_a_case_closed_while_the_provider_accepts_leaves_no_referral_open(parallel_db, world):
    """Closing a case left its referral "sent" at the provider, with the returnee's details
    shared and Accept offered: the closure cancels its open referrals, whichever comes first."""
    from remis.audit.models import AuditEntry
    from remis.cases import actions as case_actions
    from remis.referrals.models import Referral

    call_command("sync_assistance_defaults", stdout=io.StringIO())
    s = setting(world)
    consent(world, s.case)
    referral = refer(s)
    results = parallel_db(
        lambda: case_actions.close_case(s.world.bob, s.case, "completed"),
        lambda: actions.answer_referral(s.pia, referral, Status.ACCEPTED, expected_version=1),
    )
    assert not isinstance(results[0], Exception), results
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED, results
    assert referral.cancel_reason_shown == "The case was closed."
    assert not Referral.objects.filter(case=s.case, status__in=["sent", "accepted", "in_progress"]).exists()
    assert AuditEntry.objects.filter(action="referral.cancel", object_id=str(referral.pk)).count() == 1
