"""Two tokens asked at once under one name (a form sent twice, two tabs): one is issued,
the other refused on its name, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from remis.accounts import actions
from remis.accounts.models import ApiToken
from remis.lib.errors import ValidationFailed


@pytest.mark.races("remis.accounts.actions.issue_api_token")
def test_two_tokens_asked_at_once_under_one_name_issue_one(parallel_db, world):
    alice = world.alice
    for name in ("Sync", "Backup", "Reports"):
        results = parallel_db(
            lambda name=name: actions.issue_api_token(alice, name=name),
            lambda name=name: actions.issue_api_token(alice, name=name),
        )
        refused = [r for r in results if isinstance(r, ValidationFailed)]
        assert len(refused) == 1, results
        assert ApiToken.objects.filter(user=alice, name=name).count() == 1
