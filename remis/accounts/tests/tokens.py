"""API keys for tests that call the API as someone: each token under a name of its own, as a
person would name them (the tokens of one owner in use have different names)."""

from __future__ import annotations

from itertools import count
from typing import Any

_numbers = count(1)


def bearer_key(user: Any, name: str = "test", **options: Any) -> str:
    """The raw key of a new token of `user` (read and write unless `access` says otherwise)."""
    from remis.accounts.actions import issue_api_token

    return issue_api_token(user, name=f"{name} {next(_numbers)}", **options)[1]
