"""The first rows of the authorization matrix, generated so that a new endpoint or page is
covered without anyone writing a row for it:

- every operation of the OpenAPI schema answers 401 without a token and with a revoked or
  an expired one, and every operation that changes something answers 403 to a read-only
  token (the reads sent as POST excepted);
- every page of the URL configuration sends a visitor who is not signed in to the sign-in
  page, except the few that are public by design (listed here, with why)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from remis.accounts import actions
from remis.accounts.models import ApiToken, TokenAccess
from remis.api import api, reads_by_post

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")
# Public by design: signing in, the invitation and password links (the link is the proof),
# the language switch, the API (its own tokens) and its documentation.
PUBLIC = (
    "accounts/login/",
    "accounts/logout/",
    "accounts/language/",
    "invitation/",
    "password-link/",
    "api/",
)


def _operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    found = []
    for path, methods in schema["paths"].items():
        concrete = PARAMETER.sub(lambda m: str(uuid.uuid4()) if "uuid" in m.group(1) else "1", path)
        found += [
            (method.upper(), concrete)
            for method in methods
            if method in {"get", "post", "put", "patch", "delete"}
        ]
    return found


OPERATIONS = _operations()


def _call(client: Client, method: str, path: str, token: str | None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    body = {} if method in {"POST", "PUT", "PATCH"} else None
    if body is None:
        return getattr(client, method.lower())(path, **headers)
    return getattr(client, method.lower())(path, body, content_type="application/json", **headers)


def test_the_schema_lists_the_operations():
    assert len(OPERATIONS) > 50  # the matrix would pass vacuously otherwise


def test_no_operation_answers_without_a_live_token(world):
    revoked, revoked_raw = actions.issue_api_token(world.alice, name="revoked")
    actions.revoke_api_token(world.alice, revoked)
    expired, expired_raw = actions.issue_api_token(world.alice, name="expired")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    client = Client()
    wrong = []
    for method, path in OPERATIONS:
        if path.endswith(("/openapi.json", "/docs")):
            continue
        for token in (None, revoked_raw, expired_raw, "remis_not-a-token"):
            status = _call(client, method, path, token).status_code
            if status != 401:
                wrong.append(
                    f"{method} {path} with {'no token' if token is None else 'a dead token'}: {status}"
                )
    assert wrong == []


def test_a_read_only_token_changes_nothing_anywhere(world):
    _token, raw = actions.issue_api_token(world.alice, name="reader", access=TokenAccess.READ)
    client = Client()
    wrong = []
    for method, path in OPERATIONS:
        if method == "GET" or (method == "POST" and reads_by_post(path)):
            continue
        status = _call(client, method, path, raw).status_code
        if status != 403:
            wrong.append(f"{method} {path}: {status}")
    assert wrong == []


def _pages(resolver: Any = None, prefix: str = "") -> list[str]:
    found: list[str] = []
    for entry in (resolver or get_resolver()).url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _pages(entry, pattern)
        elif isinstance(entry, URLPattern):
            found.append(pattern)
    return found


def _concrete(pattern: str) -> str:
    path = re.sub(r"<uuid:[^>]+>", str(uuid.uuid4()), pattern)
    path = re.sub(r"<int:[^>]+>", "1", path)
    path = re.sub(r"<(?:slug|str|path):[^>]+>", "x", path)
    return "/" + path.lstrip("^").rstrip("$")


def test_every_page_asks_a_visitor_to_sign_in(world):
    client = Client()
    wrong = []
    pages = [p for p in _pages() if not p.startswith(PUBLIC) and "<" not in p.split("/")[-1]]
    assert len(pages) > 80
    for pattern in pages:
        path = _concrete(pattern)
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            location = response.get("Location", "")
            if not (response.status_code == 302 and location.startswith("/accounts/login/")):
                if response.status_code not in (405,):  # a method the page does not take
                    wrong.append(f"{method.upper()} {path}: {response.status_code} {location}")
    assert wrong == []
