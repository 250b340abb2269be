"""Two administrators changing the same organisation or role at once, each from the page
they loaded: one change wins whole, the other is told it changed; one audit entry is
written. Run really in parallel, on both engines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from remis.accounts.actions import platform
from remis.accounts.models import Organisation, OrganisationType, Role
from remis.audit.models import AuditEntry
from remis.lib.tests.races import one_won


def _org_rename(world: Any, seen: int, n: int) -> Callable[[], Any]:
    return lambda: platform.update_organisation(
        world.admin,
        Organisation.objects.get(pk=world.nl_office.pk),
        version=seen,
        name=f"IOM The Hague {n}",
        kind=OrganisationType.IOM_MISSION,
        country="NL",
    )


def _org_deactivate(world: Any, seen: int, n: int) -> Callable[[], Any]:
    return lambda: platform.set_organisation_active(
        world.admin, Organisation.objects.get(pk=world.nl_office.pk), active=False, version=seen
    )


def _role_rename(world: Any, seen: int, n: int) -> Callable[[], Any]:
    return lambda: platform.update_role(
        world.admin, Role.objects.get(code="viewer"), version=seen, name=f"Reader {n}"
    )


CHANGES: dict[str, tuple[Callable[[Any], int], Callable[[Any, int, int], Callable[[], Any]]]] = {
    "update_organisation": (lambda world: world.nl_office.version, _org_rename),
    "set_organisation_active": (lambda world: world.nl_office.version, _org_deactivate),
    "update_role": (lambda world: Role.objects.get(code="viewer").version, _role_rename),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_two_changes_at_once_from_one_read_one_wins(parallel_db, world, name):
    version_of, change = CHANGES[name]
    world.nl_office.refresh_from_db()
    seen = version_of(world)
    entries = AuditEntry.objects.count()
    results = parallel_db(change(world, seen, 1), change(world, seen, 2))
    winner = one_won(results) + 1
    assert AuditEntry.objects.count() == entries + 1
    if name == "update_organisation":
        assert Organisation.objects.get(pk=world.nl_office.pk).name == f"IOM The Hague {winner}"
    if name == "set_organisation_active":
        assert Organisation.objects.get(pk=world.nl_office.pk).active is False
    if name == "update_role":
        assert Role.objects.get(code="viewer").name == f"Reader {winner}"
