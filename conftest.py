"""Shared personas, named so their roles are easy to remember.

- alice: counsellor at the Belgian host-country office (registers, counsels, submits)
- bob: case worker at the Guinean reintegration partner (receives, reception, closes)
- carol: read-only M&E officer at the Belgian office (views cases, writes nothing)
- dave: counsellor at the Dutch office: an outsider to Belgian cases
- victor: viewer at a donor: aggregates only, no case records
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

# CI replays the same generated examples every run, so it fails only for a change in the
# code; runs on a developer's machine draw new examples and keep exploring.
# No deadline in either: a deadline is a timed assertion, and an example taking 320 ms on a
# machine busy with another test run failed a test whose subject is correctness.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.REMIS_ERASURE_LEDGER = str(tmp_path / "erasure-ledger.jsonl")


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Each test starts in the default language: a request through the test client leaves
    its reader's language active in the thread (LocaleMiddleware does not reset it), which
    made a later test that reads messages without a request depend on the order of tests."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    """Each test starts with no cached statistics: ids repeat between tests."""
    from django.core.cache import cache

    from remis.webhooks.outbox import forget_subscriptions

    cache.clear()
    forget_subscriptions(none_exist=True)  # no webhook subscription in a fresh test database
    yield


@pytest.fixture(autouse=True)
def _second_factor_passed(request: Any, monkeypatch: Any) -> None:
    """Test clients' sign-ins include the second factor (`accounts/tests/second_factor.py`),
    except in tests marked `two_factor`, which sign in the way people do."""
    if request.node.get_closest_marker("two_factor"):
        return
    from django.test.client import ClientMixin

    from remis.accounts.tests.second_factor import passed_second_factor

    login = ClientMixin._login

    def _login(self: Any, user: Any, backend: Any = None) -> None:
        login(self, user, backend)
        passed_second_factor(self, user)

    monkeypatch.setattr(ClientMixin, "_login", _login)
    # Test users have no authenticator: their API tokens work as if they had one.
    monkeypatch.setattr("remis.accounts.two_factor.lacks_required_second_factor", lambda user: False)


@pytest.fixture(scope="module")
def module_db(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Data built once for every test of a module: a module-scoped fixture that asks for
    this one writes inside an open transaction, each test then runs in a savepoint within it
    (pytest-django's own transaction, nested), and the whole is rolled back after the
    module's last test. For the generated datasets of the reports' tests, which took longer
    to build than their tests took to run. Not for tests that use other connections or
    threads: they would not see the uncommitted data.

        @pytest.fixture(scope="module")
        def generated(module_db):
            generate_cases(300, seed=11)
    """
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


def run_together(*calls: Callable[[], Any], timeout: float = 60) -> list[Any]:
    """Run each call in its own thread, all released at once by a barrier, and return what
    each returned, or the exception it raised, in the order of the calls. Each thread has
    its own database connection, closed when its call ends."""
    from django.db import connections

    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def work(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout)
            results[index] = call()
        except BaseException as exc:  # the caller asserts on it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if any(thread.is_alive() for thread in threads):
        raise AssertionError(f"a call was still running after {timeout} s")
    return results


def empty_audit_log() -> None:
    """Delete every audit entry, so that Django's flush after a transactional test finds
    the log empty (its triggers refuse deleting entries, and on PostgreSQL truncating a
    log that holds any). Only the trigger refusing DELETE is lifted, and only inside the
    transaction that deletes: the guards are back before anything else runs."""
    from django.db import connection, transaction

    guards = importlib.import_module("remis.audit.migrations.0003_hash_chain_and_closed_log")
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_no_update_delete")
            cursor.execute("DELETE FROM audit_auditentry")
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_no_update_delete")
        else:
            cursor.execute("DROP TRIGGER audit_no_delete")
            cursor.execute("DELETE FROM audit_auditentry")
            cursor.execute(guards.SQLITE["audit_no_delete"])


@pytest.fixture
def parallel_db(transactional_db: Any) -> Iterator[Callable[..., list[Any]]]:
    """A database that several threads (or a live server) use at once, each on its own
    connection, on SQLite (a file: remis/test_settings.py) and PostgreSQL.

    Use it instead of `transactional_db` / `django_db(transaction=True)`: the test's
    writes are committed, as in production, and the database is emptied after the test
    (Django's flush), which the append-only audit log would refuse; this fixture empties
    the log first, lifting its guard only for that (`empty_audit_log`). The shipped
    configuration (roles, categories), which the flush after the previous transactional
    test removed, is loaded again first. pytest-django runs these tests after the others.

    It returns `run_together(*calls, timeout=60)`: each call runs in its own thread, all
    released at once by a barrier; the result is the list of what each call returned or
    the exception it raised, in order. For example::

        def test_a_submission_is_answered_once(parallel_db, world, alice, bob):
            submission = ...
            results = parallel_db(
                lambda: actions.respond_to_submission(bob, submission, accept=True),
                lambda: actions.respond_to_submission(bob, submission, accept=False),
            )
            assert sum(isinstance(r, Conflict) for r in results) == 1

    Build the data before calling it (the fixtures run in the test's thread), pass each
    call what it needs, and assert on the database afterwards: rows are committed.
    On SQLite, transactions still take turns (each begins by taking the database's write
    lock, as in production), so only work outside a transaction interleaves; on
    PostgreSQL, transactions overlap as they do under load.
    """
    from django.core.management import call_command

    call_command("sync_defaults", stdout=io.StringIO())
    call_command("load_instruments", stdout=io.StringIO())  # the assessments app's shipped instruments
    yield run_together
    empty_audit_log()


@pytest.fixture
def world(db: Any) -> Any:
    from remis.cases.tests.factories import make_world

    return make_world()


@pytest.fixture
def alice(world: Any) -> Any:
    return world.alice


@pytest.fixture
def bob(world: Any) -> Any:
    return world.bob


@pytest.fixture
def carol(world: Any) -> Any:
    return world.carol


@pytest.fixture
def dave(world: Any) -> Any:
    return world.dave


@pytest.fixture
def victor(world: Any) -> Any:
    return world.victor


@pytest.fixture
def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


class ApiClient:
    """Calls /api/v1 as one user, with a fresh token: `api_client.as_(alice).get("/cases")`."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.auth: dict[str, str] = {}

    def as_(self, user: Any) -> ApiClient:
        from remis.accounts.tests.tokens import bearer_key

        raw = bearer_key(user, "test")
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        return self

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, **self.auth)

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.post(
            f"/api/v1{path}", body or {}, content_type="application/json", **self.auth, **headers
        )

    def put(self, path: str, body: Any) -> Any:
        return self.client.put(f"/api/v1{path}", body, content_type="application/json", **self.auth)

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(f"/api/v1{path}", body, content_type="application/json", **self.auth)

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/api/v1{path}", **self.auth)


@pytest.fixture
def api_client(client: Any) -> ApiClient:
    return ApiClient(client)


@pytest.fixture
def signed_in(client: Any) -> Any:
    """signed_in(user) -> the test client with that user's session."""
    from remis.cases.tests.factories import PASSWORD

    def _sign_in(user: Any) -> Any:
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return _sign_in


@pytest.fixture(autouse=True)
def _fresh_analytics() -> Iterator[None]:
    """Each test counts its own rows: the analytics copy of an earlier test's (rolled back)
    data is forgotten."""
    from remis.reports import analytics

    analytics.reset()
    yield
