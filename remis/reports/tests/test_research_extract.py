"""Research extracts built by the job: rows of the requester's scope only, stable keyed
pseudonyms, no direct identifier, free text or sensitive group anywhere in the files, the k
rule applied and counted, and the extract kept for its requester alone."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import zipfile
from collections import Counter
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from remis.accounts.models import User
from remis.audit.models import AuditEntry
from remis.cases.models import Case, CaseMember, IdentityDocument, Note, Person
from remis.cases.queries import visible_cases
from remis.demo.generator import generate_cases
from remis.demo.world import build_world
from remis.jobs.models import JobStatus
from remis.lib.countries import alpha3
from remis.lib.errors import PermissionDenied, ValidationFailed
from remis.programmes.models import MigrantCategory
from remis.reports.models import ResearchExtract
from remis.reports.research.pseudonyms import pseudonym_key
from remis.reports.research.requests import request_extract
from remis.reports.research.rows import ExtractFilters, case_ids

pytestmark = pytest.mark.django_db

START = dt.date(2000, 1, 1)
QI = ("sex", "age_group", "origin_country", "arrival_period")


@pytest.fixture(scope="module")
def _dataset(module_db: None) -> None:
    build_world()
    generate_cases(300, seed=11)


@pytest.fixture
def generated(_dataset: None, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _build(capture: Any, user: User, **asked: Any) -> ResearchExtract:
    asked = {"start": START, "end": dt.date.today(), **asked}
    with capture(execute=True):
        extract = request_extract(user, **asked)
    extract.refresh_from_db()
    assert extract.job is not None
    extract.job.refresh_from_db()
    assert extract.job.status == JobStatus.SUCCEEDED, extract.job.outcome
    return extract


def _rows(extract: ResearchExtract) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(extract.csv.open("rb").read().decode("utf-8-sig"))))


def _all_text(extract: ResearchExtract) -> str:
    """Everything the files hold: the CSV, and every part of the XLSX (a zip of XML)."""
    text = extract.csv.open("rb").read().decode("utf-8-sig")
    with zipfile.ZipFile(io.BytesIO(extract.xlsx.open("rb").read())) as book:
        for name in book.namelist():
            text += book.read(name).decode("utf-8", errors="replace")
    return text


def _give_identifiers(persons: list[Person]) -> None:
    """Direct identifiers and free text on the people of the extract, distinctive enough to
    be found in any file that leaked them."""
    for n, person in enumerate(persons):
        Person.objects.filter(pk=person.pk).update(
            phone=f"+22461{n:07d}",
            email=f"returnee{n}@example.org",
            address=f"Quartier Kaloum, rue KA-{n:04d}",
            alternate_names=f"Aliasname{n:04d}",
        )
        IdentityDocument.objects.create(person=person, kind="passport", number=f"PX{n:07d}")


def _crowd(case_ids_: list[int]) -> None:
    """Returns to Guinea in the first half of 2024, a month after another, women and men of
    one age: groups a month splits under k and a quarter (or the year) brings together, so
    the rule has to coarsen rows, for a dozen cases as for several dozen with their
    households (the generated cases are spread over too many countries and years for a few
    dozen to form groups)."""
    for n, case_id in enumerate(case_ids_):
        Case.objects.filter(pk=case_id).update(origin_country="GN", arrival_date=dt.date(2024, 1 + n % 6, 10))
    persons = Person.objects.filter(memberships__case_id__in=case_ids_).distinct().order_by("pk")
    for n, person in enumerate(persons):
        Person.objects.filter(pk=person.pk).update(sex="FM"[n % 2], date_of_birth=dt.date(1990, 6, 1))


def test_the_extract_has_pseudonyms_the_k_rule_and_no_identifier(
    generated: None, django_capture_on_commit_callbacks: Any
) -> None:
    manager = User.objects.get(username="manager.be")
    in_scope = case_ids(manager, ExtractFilters(START, dt.date.today()))
    assert len(in_scope) > 10
    persons = list(Person.objects.filter(memberships__case_id__in=in_scope).distinct())
    _give_identifiers(persons)
    _crowd(in_scope)
    for case in Case.objects.filter(pk__in=in_scope[:20]):
        Note.objects.create(case=case, author=manager, body=f"Confidential note about {case.reference}")
    extract = _build(django_capture_on_commit_callbacks, manager, k=5)

    rows = _rows(extract)
    # Scores are numbers in the workbook (they were text, which sums and averages skip).
    sheet = load_workbook(io.BytesIO(extract.xlsx.open("rb").read()), read_only=True).worksheets[0]
    table = list(sheet.iter_rows(values_only=True))
    scored = [i for i, name in enumerate(table[0]) if str(name).startswith("round_")]
    scores = [row[i] for row in table[1:] for i in scored if i < len(row) and row[i] is not None]
    assert scores and all(isinstance(v, int | float) and 0 <= v <= 100 for v in scores)
    assert {row[table[0][scored[0]]] for row in rows} - {""} <= {f"{v:.2f}" for v in scores}
    assert extract.rows_read == len(persons)
    assert len(rows) + (extract.rows_suppressed or 0) == extract.rows_read
    assert extract.k_applied is not None and extract.k_applied >= 5
    combinations = Counter(tuple(row[name] for name in QI) for row in rows)
    assert all(n >= extract.k_applied for n in combinations.values())
    assert extract.rows_coarsened and any(
        "-Q" in row["arrival_period"] or len(row["arrival_period"]) == 4 for row in rows
    )

    text = _all_text(extract)
    cases = Case.objects.filter(pk__in=in_scope)
    for person in Person.objects.filter(pk__in=[p.pk for p in persons]):
        identifiers = [person.phone, person.email, person.address, person.alternate_names, str(person.uuid)]
        identifiers += [
            f"{person.given_name} {person.family_name}",
            f"{person.family_name}, {person.given_name}",
        ]
        identifiers += [name for name in (person.given_name, person.family_name) if len(name) >= 6]
        if person.date_of_birth:
            identifiers.append(person.date_of_birth.isoformat())
        identifiers += list(person.identity_documents.values_list("number", flat=True))
        for value in identifiers:
            assert value not in text, "a direct identifier reached the extract"
    for case in cases:
        assert case.reference not in text and str(case.uuid) not in text
    assert "Confidential note" not in text
    forbidden = {"name", "phone", "email", "address", "date_of_birth", "document", "note", "vulnerab"}
    assert not [c for c in rows[0] if any(word in c for word in forbidden)]
    assert AuditEntry.objects.filter(action="reports.research_extract", actor=manager).count() == 1


def test_pseudonyms_are_stable_under_one_key_and_change_with_it(
    generated: None, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    manager = User.objects.get(username="manager.be")
    _crowd(case_ids(manager, ExtractFilters(START, dt.date.today())))
    first = {row["person_pseudonym"] for row in _rows(_build(django_capture_on_commit_callbacks, manager))}
    again = {row["person_pseudonym"] for row in _rows(_build(django_capture_on_commit_callbacks, manager))}
    assert first == again and len(first) > 10
    # Each is the HMAC-SHA256 of the person's UUID under the key, computed here independently.
    members = CaseMember.objects.filter(case_id__in=case_ids(manager, ExtractFilters(START, dt.date.today())))
    expected = {
        hmac.new(pseudonym_key(), f"person:{u}".encode(), hashlib.sha256).hexdigest()[:32]
        for u in members.values_list("person__uuid", flat=True)
    }
    assert first <= expected
    settings.RESEARCH_PSEUDONYM_KEY = "another-key-for-another-research-project"
    other = {row["person_pseudonym"] for row in _rows(_build(django_capture_on_commit_callbacks, manager))}
    assert other and not other & first


def test_only_cases_the_requester_may_read_and_no_sensitive_category(
    generated: None, django_capture_on_commit_callbacks: Any
) -> None:
    officer = User.objects.get(username="me.gn")
    trafficking = MigrantCategory.objects.get(code="victim_of_trafficking")
    mine = case_ids(officer, ExtractFilters(START, dt.date.today()))
    _crowd(mine)
    # One group of them all (k=2 keeps it whole): this test is about whose cases, not the k rule.
    Case.objects.filter(pk__in=mine).update(arrival_date=dt.date(2024, 1, 10))
    Person.objects.filter(memberships__case_id__in=mine).update(sex="F")
    assert len(mine) >= 4
    Case.objects.filter(pk__in=mine[: len(mine) // 2]).update(category=trafficking)
    extract = _build(django_capture_on_commit_callbacks, officer, k=2)
    rows = _rows(extract)
    assert rows and {row["origin_country"] for row in rows} == {alpha3("GN")}
    key = pseudonym_key()

    def case_pseudonym(uuid: Any) -> str:
        return hmac.new(key, f"case:{uuid}".encode(), hashlib.sha256).hexdigest()[:32]

    readable = {case_pseudonym(u) for u in visible_cases(officer).values_list("uuid", flat=True)}
    others = {
        case_pseudonym(u)
        for u in Case.objects.exclude(pk__in=visible_cases(officer)).values_list("uuid", flat=True)
    }
    written = {row["case_pseudonym"] for row in rows}
    assert written <= readable and not written & others and others
    assert "victim_of_trafficking" not in _all_text(extract)
    assert all(row["migrant_category"] != "victim_of_trafficking" for row in rows)
    # Not blank either: every case has a category, so a blank one was trafficking.
    assert all(row["migrant_category"] for row in rows)


def test_scores_the_requesters_records_restrict_stay_out(generated: None) -> None:
    """An M&E officer without the psychosocial, protection and identity groups found a row
    by the economic scores their case pages show, and read its social, psychosocial and
    composite scores, which those pages read "Restricted"."""
    from remis.reports.outcomes import restricted_measures
    from remis.reports.research.rows import SCORES, read_returnees

    officer = User.objects.get(username="me.gn")
    assert {"social", "psychosocial", "composite"} <= restricted_measures(officer)
    everyone = ExtractFilters(START, dt.date.today())
    scored = [
        dict(zip(SCORES, v, strict=True))
        for r in read_returnees(officer, everyone)
        for v in r.scores.values()
    ]
    assert any(s["economic"] is not None for s in scored), "the officer's scope must hold scored rounds"
    assert all(s["social"] is None and s["psychosocial"] is None and s["composite"] is None for s in scored)
    manager = User.objects.get(username="manager.be")
    full = [
        dict(zip(SCORES, v, strict=True))
        for r in read_returnees(manager, everyone)
        for v in r.scores.values()
    ]
    assert any(s["social"] is not None and s["composite"] is not None for s in full)


def test_who_may_ask_and_who_may_read(
    generated: None, django_capture_on_commit_callbacks: Any, client: Client, api_client: Any
) -> None:
    manager = User.objects.get(username="manager.be")
    extract = _build(django_capture_on_commit_callbacks, manager, k=5)
    for username in ("caseworker.gn", "donor", "provider.gn"):
        user = User.objects.get(username=username)
        with pytest.raises(PermissionDenied):
            request_extract(user, start=START, end=dt.date.today())
        client.force_login(user)
        assert client.get("/reports/research/").status_code == 403
        assert (
            api_client.as_(user)
            .post("/reports/research-extracts", {"start": "2020-01-01", "end": "2020-12-31"})
            .status_code
            == 403
        )
    with pytest.raises(ValidationFailed) as refused:
        request_extract(manager, start=dt.date(2024, 5, 1), end=dt.date(2024, 1, 1), k=1)
    assert {field for field, _message in refused.value.errors} == {"end", "k"}
    with translation.override("fr"), pytest.raises(ValidationFailed) as too_early:
        request_extract(manager, start=dt.date(1980, 5, 1), end=dt.date(2024, 1, 1))
    # The earliest day written as the reader writes days, not as ISO 8601.
    assert too_early.value.errors == [("start", "Saisissez un jour du 1 janv. 1990 à aujourd’hui.")]

    officer = User.objects.get(username="me.gn")  # may ask for extracts, not read another's
    client.force_login(officer)
    assert client.get("/reports/research/").status_code == 200
    for url in (f"/reports/research/{extract.uuid}/", f"/reports/research/{extract.uuid}/csv/"):
        assert client.get(url).status_code == 404
    assert api_client.as_(officer).get(f"/reports/research-extracts/{extract.uuid}").status_code == 404
    assert (
        api_client.as_(officer).get(f"/reports/research-extracts/{extract.uuid}/files/csv").status_code == 404
    )

    client.force_login(manager)
    listing = client.get("/reports/research/")
    assert str(extract.uuid) in listing.content.decode()
    assert client.get(f"/reports/research/{extract.uuid}/xlsx/").status_code == 200
    # Its character set said, as every CSV of REMIS says it.
    assert client.get(f"/reports/research/{extract.uuid}/csv/")["Content-Type"] == "text/csv; charset=utf-8"
    own = api_client.as_(manager)
    assert own.get("/reports/research-extracts").json()["count"] == 1
    assert own.get(f"/reports/research-extracts/{extract.uuid}/files/csv").content.startswith(
        b"\xef\xbb\xbfperson_pseudonym"
    )
    created = own.post("/reports/research-extracts", {"start": "2024-01-01", "end": "2024-12-31", "k": 1})
    assert created.status_code == 422 and "k" in created.content.decode()


def test_the_page_asks_for_an_extract_and_lists_it(generated: None, client: Client) -> None:
    client.force_login(User.objects.get(username="me.gn"))
    empty = client.get("/reports/research/")
    assert "You have not asked for any research extract yet." in empty.content.decode()
    answer = client.post(
        "/reports/research/",
        {"start": "2020-01-01", "end": dt.date.today().isoformat(), "k": "5", "origin": "GN"},
    )
    assert answer.status_code == 302
    extract = ResearchExtract.objects.get()
    assert extract.origin == "GN" and extract.k == 5
    wrong = client.post("/reports/research/", {"start": "2020-01-01", "end": "2019-01-01", "k": "5"})
    assert "The last day comes before the first." in wrong.content.decode()


def test_the_migration_gives_the_permission_to_the_shipped_roles_only() -> None:
    import importlib

    from django.apps import apps

    from remis.accounts.models import Role
    from remis.programmes.models import ShippedValues

    def holders() -> set[str]:
        return {r.code for r in Role.objects.all() if "research.extract" in r.permissions}

    assert holders() == {"programme_manager", "me_officer"}
    migration = importlib.import_module("remis.reports.migrations.0002_research_extract")
    migration.take_permission(apps, None)
    assert holders() == set()
    # A database from before the permission: the roles as the older release shipped them,
    # except the M&E officer's, which an administrator changed since.
    for shipped in ShippedValues.objects.filter(kind="accounts.role"):
        values = dict(shipped.values)
        values["permissions"] = [p for p in values.get("permissions", []) if p != "research.extract"]
        ShippedValues.objects.filter(pk=shipped.pk).update(values=values)
    officer = Role.objects.get(code="me_officer")
    Role.objects.filter(pk=officer.pk).update(
        permissions=[p for p in officer.permissions if p != "stats.view"]
    )
    migration.give_permission(apps, None)
    assert holders() == {"programme_manager"}, "a role an administrator changed is theirs to decide"


def test_the_deploy_check_asks_for_a_pseudonym_key(settings: Any) -> None:
    from remis.reports.checks import pseudonym_key_set

    settings.RESEARCH_PSEUDONYM_KEY = ""
    assert [m.id for m in pseudonym_key_set()] == ["remis.reports.W001"]
    settings.RESEARCH_PSEUDONYM_KEY = "a-long-random-value-kept-with-the-other-secrets"
    assert pseudonym_key_set() == []
