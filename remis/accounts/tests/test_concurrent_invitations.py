"""An invitee accepting their invitation while something else happens to it, each on its own
connection, on SQLite and PostgreSQL.

- The invitee opens the link in two tabs and sends both at once (with different passwords):
  one acceptance wins whole (its password, the member active, the membership's version moved
  once, one audit entry) and the other tab is told the link was used.
- An administrator withdraws the invitation, from the member's page they loaded, while the
  invitee accepts it: it ends one way or the other, never both. Accepted: the member is
  active, nothing withdrawn, and the administrator is told the invitation was accepted.
  Withdrawn: the member and the user are gone, nothing accepted, and the invitee is told the
  link is no longer valid. Never an accepted user whose membership was withdrawn under them.
"""

from __future__ import annotations

from typing import Any

from remis.accounts import actions
from remis.accounts.models import Invitation, Membership, MembershipStatus, User
from remis.accounts.queries import get_member
from remis.audit.models import AuditEntry
from remis.cases.tests.factories import make_user
from remis.lib.errors import Conflict, Duplicate, NotFound, ValidationFailed
from remis.lib.tests.races import one_won

PASSWORDS = ("Niamey-river-2026!", "Conakry-bridge-2027!")
ROUNDS = 10  # each round can go either way; a few make both orders likely on every run


def _invite(olga: Any, world: Any, username: str) -> tuple[Membership, str]:
    return actions.invite_user(
        olga,
        world.be_office,
        username=username,
        first_name="Fatou",
        last_name="Testperson",
        role="counsellor",
        countries=["BE"],
    )


def test_an_invitation_accepted_in_two_tabs_at_once_is_accepted_once(parallel_db, world, olga):
    membership, raw = _invite(olga, world, "fatou")
    seen = membership.version
    results = parallel_db(*[lambda p=p: actions.accept_invitation(raw, password=p) for p in PASSWORDS])
    winner = one_won(results)
    user = User.objects.get(pk=membership.user_id)
    assert user.is_active
    assert user.check_password(PASSWORDS[winner]) and not user.check_password(PASSWORDS[1 - winner])
    stored = Membership.objects.get(pk=membership.pk)
    assert (stored.status, stored.version) == (MembershipStatus.ACTIVE, seen + 1)
    invitation = Invitation.objects.get(membership=membership)
    assert invitation.accepted_at is not None and invitation.revoked_at is None
    accepted = AuditEntry.objects.filter(action="invitation.accept")
    assert list(accepted.values_list("actor_id", "object_id")) == [(user.pk, str(invitation.pk))]


def test_an_invitation_withdrawn_while_the_invitee_accepts_it_ends_one_way_or_the_other(
    parallel_db, world, olga
):
    for n in range(ROUNDS):
        membership, raw = _invite(olga, world, f"fatou{n}")
        user_id, seen = membership.user_id, membership.version
        invitation_id = Invitation.objects.get(membership=membership).pk
        page = get_member(olga, world.be_office, user_id)  # the member's page, as the administrator read it
        accepted, withdrawn = parallel_db(
            lambda raw=raw: actions.accept_invitation(raw, password=PASSWORDS[0]),
            lambda page=page: actions.withdraw_invitation(olga, page),
        )
        # The loser is told in words, never an unexpected error.
        assert isinstance(accepted, User | NotFound | Conflict), accepted
        assert withdrawn is None or isinstance(withdrawn, ValidationFailed), withdrawn
        assert isinstance(accepted, User) != (withdrawn is None), (accepted, withdrawn)
        accepts = AuditEntry.objects.filter(action="invitation.accept", object_id=str(invitation_id))
        withdrawals = AuditEntry.objects.filter(action="invitation.withdraw", object_id=str(membership.pk))
        if isinstance(accepted, User):
            assert isinstance(withdrawn, ValidationFailed) and withdrawn.field == "status"  # accepted
            stored = Membership.objects.get(pk=membership.pk)
            assert (stored.status, stored.version) == (MembershipStatus.ACTIVE, seen + 1)
            assert User.objects.get(pk=user_id).check_password(PASSWORDS[0])
            assert Invitation.objects.get(pk=invitation_id).accepted_at is not None
            assert (accepts.count(), withdrawals.count()) == (1, 0)
        else:
            assert not Membership.objects.filter(pk=membership.pk).exists()
            assert not Invitation.objects.filter(pk=invitation_id).exists()
            assert not User.objects.filter(pk=user_id).exists()  # never used: removed with it
            assert (accepts.count(), withdrawals.count()) == (0, 1)


def test_two_administrators_withdrawing_one_invitation_at_once_withdraw_it_once(parallel_db, world, olga):
    sami = make_user("sami", world.be_office, "administrator", ["BE"])
    membership, _raw = _invite(olga, world, "fatou")
    user_id = membership.user_id
    pages = [get_member(admin, world.be_office, user_id) for admin in (olga, sami)]  # each one's page
    results = parallel_db(
        lambda: actions.withdraw_invitation(olga, pages[0]),
        lambda: actions.withdraw_invitation(sami, pages[1]),
    )
    # The second finds it gone under its lock and is told so (the page's 404).
    assert results.count(None) == 1 and any(isinstance(r, NotFound) for r in results), results
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert not User.objects.filter(pk=user_id).exists()
    withdrawals = AuditEntry.objects.filter(action="invitation.withdraw", object_id=str(membership.pk))
    assert withdrawals.count() == 1


def test_two_operators_inviting_one_first_administrator_at_once_create_one_user(parallel_db, world):
    operators = [make_user(name, world.be_office, "platform_operator", ["BE"]) for name in ("paul", "pia")]
    org = actions.create_organisation(operators[0], name="Sahel Relais", kind="ngo", country="NE")
    results = parallel_db(
        *[
            lambda o=o: actions.invite_first_administrator(
                o, org, username="amina", first_name="Amina", last_name="Moussa"
            )
            for o in operators
        ]
    )
    # Under the organisation's lock, one after the other: the second finds the name taken.
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(lost) == 1 and isinstance(lost[0], Duplicate) and lost[0].field == "username", results
    amina = User.objects.get(username="amina")
    assert list(Membership.objects.filter(user=amina).values_list("organisation_id", "role_id")) == [
        (org.pk, "administrator")
    ]
    assert AuditEntry.objects.filter(action="user.invite", object_id=str(amina.pk)).count() == 1


def test_an_account_holder_accepting_while_the_administrator_withdraws_ends_one_way(parallel_db, world, olga):
    """The invitation of someone who already has an account (no link): accepting it on
    their page and withdrawing it on the administrator's, at once, end in one state: a
    member, or no membership and their account as it was; never an accepted membership
    deleted under them."""
    for n in range(ROUNDS):
        holder = make_user(f"amadou{n}", world.nl_office, "viewer", ["NL"])
        membership = actions.add_existing_member(
            olga, world.be_office, username=holder.username, role="viewer", countries=["BE"]
        )
        page = get_member(olga, world.be_office, holder.pk)
        accepted, withdrawn = parallel_db(
            lambda h=holder, v=membership.version: actions.answer_invitation(
                h, world.be_office.pk, accept=True, expected_version=v
            ),
            lambda page=page: actions.withdraw_invitation(olga, page),
        )
        assert isinstance(accepted, Membership | Conflict), accepted
        assert withdrawn is None or isinstance(withdrawn, ValidationFailed), withdrawn
        assert isinstance(accepted, Membership) != (withdrawn is None), (accepted, withdrawn)
        accepts = AuditEntry.objects.filter(action="membership.accept", object_id=str(membership.pk))
        withdrawals = AuditEntry.objects.filter(action="invitation.withdraw", object_id=str(membership.pk))
        assert User.objects.filter(pk=holder.pk, is_active=True).exists()  # their account stays either way
        if isinstance(accepted, Membership):
            assert Membership.objects.get(pk=membership.pk).status == MembershipStatus.ACTIVE
            assert (accepts.count(), withdrawals.count()) == (1, 0)
        else:
            assert not Membership.objects.filter(pk=membership.pk).exists()
            assert (accepts.count(), withdrawals.count()) == (0, 1)


def test_an_invitation_accepted_and_declined_in_two_tabs_at_once_is_answered_once(parallel_db, world, olga):
    holder = make_user("amadou", world.nl_office, "viewer", ["NL"])
    membership = actions.add_existing_member(
        olga, world.be_office, username="amadou", role="viewer", countries=["BE"]
    )
    results = parallel_db(
        lambda: actions.answer_invitation(
            holder, world.be_office.pk, accept=True, expected_version=membership.version
        ),
        lambda: actions.answer_invitation(holder, world.be_office.pk, accept=False),
    )
    winner = one_won(results)
    answers = AuditEntry.objects.filter(
        action__in=["membership.accept", "membership.decline"], object_id=str(membership.pk)
    )
    assert answers.count() == 1
    stored = Membership.objects.filter(pk=membership.pk).first()
    if winner == 0:
        assert stored is not None and stored.status == MembershipStatus.ACTIVE
    else:
        assert stored is None
