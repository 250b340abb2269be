from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from remis.assistance.tests.factories import case_at_plan, make_approvers


@pytest.fixture
def approvers(world: Any) -> Any:
    return make_approvers(world)


@pytest.fixture
def manon(approvers: Any) -> Any:
    return approvers[0]


@pytest.fixture
def paul(approvers: Any) -> Any:
    return approvers[1]


@pytest.fixture
def ines(approvers: Any) -> Any:
    return approvers[2]


@pytest.fixture
def case(world: Any) -> Any:
    return case_at_plan(world)


@pytest.fixture
def shipped_assistance(parallel_db: Any) -> Any:
    """`parallel_db` with the shipped assistance configuration (kinds, rules, thresholds),
    which an earlier transactional test's flush removed."""
    call_command("sync_assistance_defaults", stdout=io.StringIO())
    return parallel_db


@pytest.fixture
def hugo(world: Any) -> Any:
    """A programme manager of the programme's host coordinator (IOM Belgium): the programme's
    own rules (the types every plan proposes) are theirs to set, not a partner's."""
    from remis.cases.tests.factories import make_user

    return make_user("hugo", world.be_office, "programme_manager", ["BE"])
