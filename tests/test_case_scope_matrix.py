"""The authorization matrix's scope rows, generated: every shipped role × every page and
htmx fragment whose URL names a case, and every API operation whose path names one × a case
of another organisation, and one of the user's own organisation but in a country outside
their membership's. Each must answer exactly as a case that does not exist answers (same
status: nothing tells the case is there), never show its reference, and change nothing (no
audit entry written). Pages come from the URL configuration and operations from the OpenAPI
schema, so a new one is covered without a row written for it; own-case access is each app's
tests' business."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from remis.accounts.models import Role
from remis.accounts.tests.tokens import bearer_key
from remis.api import api
from remis.audit.models import AuditEntry
from remis.cases import actions
from remis.cases.models import Case
from remis.cases.tests.factories import PASSWORD, make_person, make_user
from remis.cases.views.case_page import STEPS
from remis.lib.defaults import load
from remis.programmes.models import MigrantCategory

pytestmark = pytest.mark.django_db

CASE = "{case_uuid}"


def _case_pages(resolver: Any = None, prefix: str = "") -> list[str]:
    """Page patterns naming a case, with its uuid as {case_uuid} and any other parameter
    made concrete (a number, a uuid that matches nothing, a word)."""
    found: list[str] = []
    for entry in (resolver or get_resolver()).url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _case_pages(entry, pattern)
        elif (
            isinstance(entry, URLPattern) and "<uuid:case_uuid>" in pattern and not pattern.startswith("api/")
        ):
            path = pattern.replace("<uuid:case_uuid>", CASE)
            path = re.sub(r"<uuid:[^>]+>", str(uuid.uuid4()), path)
            path = re.sub(r"<int:[^>]+>", "1", path)
            # The case page's steps, each by its name: one URL pattern serves them all.
            names = sorted(STEPS) if "<slug:step>" in path else ["x"]
            for name in names:
                concrete = re.sub(r"<(?:slug|str|path):[^>]+>", name, path)
                found.append("/" + concrete.lstrip("^").rstrip("$"))
    return found


def _case_operations() -> list[tuple[str, str]]:
    found = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        if CASE not in path:
            continue
        concrete = re.sub(r"\{(\w+)\}", lambda m: m.group(0) if m.group(0) == CASE else "1", path)
        found += [
            (method.upper(), concrete)
            for method in methods
            if method in {"get", "post", "put", "patch", "delete"}
        ]
    return found


PAGES = _case_pages()
OPERATIONS = _case_operations()


def test_the_matrix_is_not_empty() -> None:
    assert len(PAGES) > 20 and len(OPERATIONS) > 30


def _shipped_roles() -> list[str]:
    return sorted(load("accounts", "roles.yaml"))  # the shipped roles, as data


@pytest.fixture
def hidden(world: Any) -> dict[str, Case]:
    """A case of another organisation (IOM Netherlands) and one of IOM Belgium hosted in the
    Netherlands, outside a Belgium-only membership."""
    category = MigrantCategory.objects.get(code="rejected_asylum_seeker")

    def register(actor: Any, host: str) -> Case:
        return actions.register_case(
            actor, actor.memberships.get().organisation, programme=world.programme, category=category,
            host_country=host, origin_country="GN", person=make_person(),
        )  # fmt: skip

    other_organisation = register(world.dave, "NL")
    belgian_in_nl = make_user("nadia", world.be_office, "counsellor", ["NL"])
    return {"other organisation": other_organisation, "other country": register(belgian_in_nl, "NL")}


def _answers(client: Client, token: str, case_uuid: str, reference: str) -> dict[str, int]:
    """Each page (GET, POST, and GET as htmx) and API operation's status for that uuid; a
    page or answer showing the reference is recorded as a status of -1."""
    seen: dict[str, int] = {}
    for page in PAGES:
        path = page.replace(CASE, case_uuid)
        for label, call in (
            ("GET", lambda p=path: client.get(p)),
            ("POST", lambda p=path: client.post(p, {})),
            ("htmx", lambda p=path: client.get(p, HTTP_HX_REQUEST="true")),
        ):
            response = call()
            leaked = reference and reference in response.content.decode(errors="replace")
            seen[f"{label} {page}"] = -1 if leaked else response.status_code
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for method, operation in OPERATIONS:
        path = operation.replace(CASE, case_uuid)
        if method in {"POST", "PUT", "PATCH"}:
            response = getattr(client, method.lower())(path, {}, content_type="application/json", **auth)
        else:
            response = getattr(client, method.lower())(path, **auth)
        leaked = reference and reference in response.content.decode(errors="replace")
        seen[f"{method} {operation}"] = -1 if leaked else response.status_code
    return seen


@pytest.mark.parametrize("role", _shipped_roles())
def test_a_case_out_of_scope_answers_as_a_missing_one_for_every_role(
    role: str, world: Any, hidden: dict[str, Case]
) -> None:

    assert Role.objects.filter(code=role).exists()
    user = make_user(f"matrix_{role}"[:30], world.be_office, role, ["BE"])
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    token = bearer_key(user, "matrix")
    entries = AuditEntry.objects.count()
    missing = _answers(client, token, str(uuid.uuid4()), "")
    for why, case in hidden.items():
        answered = _answers(client, token, str(case.uuid), case.reference)
        differ = {k: (answered[k], missing[k]) for k in answered if answered[k] != missing[k]}
        assert not differ, f"{role}, a case of the {why}: (answer, answer for a missing case) {differ}"
    assert AuditEntry.objects.count() == entries  # nothing was changed, nothing logged as read
