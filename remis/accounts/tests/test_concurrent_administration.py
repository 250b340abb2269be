"""Two administrators acting at the same moment, each on its own connection, on SQLite and
PostgreSQL: removing each other never leaves the organisation without an administrator,
and two edits of one membership from the same read never both succeed."""

from __future__ import annotations

from functools import partial

from remis.accounts import actions
from remis.accounts.models import Membership, MembershipStatus
from remis.cases.tests.factories import make_user
from remis.lib.errors import Conflict, NotFound, ValidationFailed


def test_two_administrators_deactivating_each_other_leave_one(parallel_db, world):
    olga = make_user("olga", world.be_office, "administrator", ["BE"])
    sami = make_user("sami", world.be_office, "administrator", ["BE"])
    actions.deactivate_membership(olga, Membership.objects.get(user=world.admin))
    results = parallel_db(
        partial(actions.deactivate_membership, olga, Membership.objects.get(user=sami)),
        partial(actions.deactivate_membership, sami, Membership.objects.get(user=olga)),
    )
    # The second is refused either by the guard (it would remove the last administrator) or,
    # when the first was already committed as it started, because its author is no longer one.
    refused = [r for r in results if isinstance(r, ValidationFailed | NotFound)]
    assert len(refused) == 1 and results.count(None) == 1, results
    active = Membership.objects.filter(
        organisation=world.be_office, role_id="administrator", status=MembershipStatus.ACTIVE
    )
    assert active.count() == 1


def test_two_edits_from_one_read_do_not_both_succeed(parallel_db, world, alice):
    olga = make_user("olga", world.be_office, "administrator", ["BE"])
    membership = Membership.objects.get(user=alice)
    results = parallel_db(
        partial(
            actions.update_membership,
            olga,
            Membership.objects.get(pk=membership.pk),
            version=1,
            role="me_officer",
        ),
        partial(
            actions.update_membership,
            olga,
            Membership.objects.get(pk=membership.pk),
            version=1,
            countries=["NL"],
        ),
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    membership.refresh_from_db()
    assert membership.version == 2
    assert (membership.role_id, membership.countries) in [("me_officer", ["BE"]), ("counsellor", ["NL"])]
