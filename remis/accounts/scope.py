"""What an actor may see and do, derived from their memberships.

Computed once per user object and cached on it, because every read and every action asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from remis.accounts.models import Membership, MembershipStatus, Role
from remis.accounts.permissions import Perm


@dataclass(frozen=True)
class Grant:
    """One membership, resolved: an organisation, the countries covered and the permissions."""

    organisation_id: int
    role: str
    countries: frozenset[str] | None  # None: every country
    permissions: frozenset[str]

    def covers(self, *countries: str) -> bool:
        return self.countries is None or any(c in self.countries for c in countries)


_CACHE_ATTR = "_remis_grants"
_INVITED_ATTR = "_remis_invited"


def grants_for(user: Any) -> list[Grant]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return list(cached)
    roles = {r.code: frozenset(r.permissions) for r in Role.objects.all()}
    # The invitations waiting for the user's answer come with the same query: every page
    # says when there are some (accounts/context.py), and grants are read on every page.
    memberships = list(
        Membership.objects.filter(
            user=user,
            organisation__active=True,
            status__in=[MembershipStatus.ACTIVE, MembershipStatus.INVITED],
        )
    )
    grants = [
        Grant(
            organisation_id=m.organisation_id,
            role=m.role_id,
            countries=None if m.all_countries else frozenset(m.countries),
            permissions=roles.get(m.role_id, frozenset()),
        )
        for m in memberships
        if m.status == MembershipStatus.ACTIVE
    ]
    setattr(user, _CACHE_ATTR, tuple(grants))
    setattr(user, _INVITED_ATTR, sum(m.status == MembershipStatus.INVITED for m in memberships))
    return grants


def waiting_invitations(user: Any) -> int:
    """How many organisations invite this signed-in user and wait for their answer (an
    active user's invited membership: one added by username, `accounts.actions`)."""
    grants_for(user)
    return int(getattr(user, _INVITED_ATTR, 0))


def forget_grants(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def grants_with(user: Any, perm: Perm) -> list[Grant]:
    return [g for g in grants_for(user) if perm in g.permissions]


def has_perm(user: Any, perm: Perm) -> bool:
    return bool(grants_with(user, perm))


def organisation_ids(user: Any) -> list[int]:
    return [g.organisation_id for g in grants_for(user)]
