"""Report packages: asked with checks that name the field, built by a job into a PDF and an
XLSX from a snapshot of the figures, kept as they were whatever changes later, and read
only by the person who asked."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from remis.accounts.models import User
from remis.demo.generator import generate_cases
from remis.demo.world import build_world
from remis.jobs.models import JobStatus
from remis.lib.errors import PermissionDenied, ValidationFailed
from remis.reports.models import ReportPackage
from remis.reports.packages import render_files, request_package
from remis.reports.statistics import Edition, Filters, exact_breakdown

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated(_dataset: int, settings: Any) -> int:
    """The world with 300 cases, jobs run as soon as they are committed; returns the latest
    year with returns."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return _dataset


@pytest.fixture(scope="module")
def _dataset(module_db: None) -> int:
    import datetime as dt

    build_world()
    generate_cases(300, seed=11)
    manager = User.objects.get(username="manager.be")
    years = exact_breakdown(manager, Filters(dt.date(2000, 1, 1), dt.date(2100, 1, 1)), "year")
    assert years is not None
    return max(int(r.key) for r in years.rows if r.key.isdigit())


def _build(django_capture_on_commit_callbacks: Any, user: User, **asked: Any) -> ReportPackage:
    with django_capture_on_commit_callbacks(execute=True):
        package = request_package(user, **asked)
    package.refresh_from_db()
    assert package.job is not None
    package.job.refresh_from_db()
    assert package.job.status == JobStatus.SUCCEEDED, package.job.outcome
    return package


def _sheet_values(package: ReportPackage) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(io.BytesIO(package.xlsx.open("rb").read()), read_only=True)
    return {name: [tuple(r) for r in book[name].iter_rows(values_only=True)] for name in book.sheetnames}


def test_a_package_is_built_and_keeps_its_figures(
    generated: int, django_capture_on_commit_callbacks: Any
) -> None:
    from remis.lib.pdf import pdf_renderer_missing

    manager = User.objects.get(username="manager.be")
    package = _build(
        django_capture_on_commit_callbacks, manager, kind="annual", year=generated, edition=Edition.PUBLIC
    )
    snapshot = package.snapshot
    assert snapshot["edition"] == Edition.PUBLIC and snapshot["threshold"] >= 2 and package.as_of
    assert [s["key"] for s in snapshot["sections"]][:3] == ["trend", "host", "origin"]
    # nothing small printed in a public package
    printed = [b for s in snapshot["sections"] for b in s["bars"]]
    assert printed and all(not isinstance(b["persons"], int) or not 0 < b["persons"] < 5 for b in printed)
    sheets = _sheet_values(package)
    definition = dict(r[:2] for r in sheets["Definition"])
    assert definition["Edition"] == "Public edition: small counts hidden"
    assert definition["Total persons"] == snapshot["total_persons"]  # a number a sheet sums, not text
    # Each table's first column is headed by what its rows are, as on the page (not "Row").
    headings = {rows[1][0] for name, rows in sheets.items() if name != "Definition"}
    assert "Row" not in headings and {"Year of return", "Host country", "Country of origin"} <= headings
    # A region's sheet names its section: returns from Europe and through it were two sheets
    # titled "Europe", told apart by a "(2)".
    titles = [rows[0][0] for name, rows in sheets.items() if name != "Definition"]
    assert len(titles) == len(set(titles)), titles
    assert not [name for name in sheets if name.endswith("(2)")]
    if pdf_renderer_missing() is None:
        assert package.pdf.open("rb").read(5) == b"%PDF-"
    # More returns later: a new package counts them; the first one, rendered again from its
    # snapshot, still says what it said.
    generate_cases(150, seed=12)
    later = _build(django_capture_on_commit_callbacks, manager, kind="annual", year=generated)
    assert later.snapshot["total_persons"] != snapshot["total_persons"]
    render_files(package)
    assert _sheet_values(package) == sheets


def test_a_quarterly_package_for_one_country_counts_that_country_in_that_quarter(
    generated: int, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime as dt

    manager = User.objects.get(username="manager.be")
    origins = exact_breakdown(manager, Filters(dt.date(generated, 1, 1), dt.date(generated, 3, 31)), "origin")
    assert origins is not None and origins.rows
    country = origins.rows[0]
    package = _build(
        django_capture_on_commit_callbacks,
        manager,
        kind="quarterly",
        year=generated,
        quarter=1,
        origin=country.key.lower(),
        edition=Edition.CONFIDENTIAL,
    )
    assert package.origin == country.key and package.quarter == 1
    assert package.snapshot["total_persons"] == country.persons
    assert "-q1-" in package.xlsx.name
    # the trend runs to the quarter's end, and says so
    assert package.snapshot["sections"][0]["title"].endswith(f"March {generated}")


def test_asking_checks_each_field(generated: int) -> None:
    manager = User.objects.get(username="manager.be")
    with pytest.raises(ValidationFailed) as failed:
        request_package(manager, kind="quarterly", year=1800, origin="XX", programme=10**9)
    assert {field for field, _m in failed.value.errors} == {"year", "quarter", "origin", "programme"}
    with pytest.raises(PermissionDenied):
        request_package(
            User.objects.get(username="donor"), kind="annual", year=generated, edition="confidential"
        )
    with pytest.raises(PermissionDenied):
        request_package(User.objects.get(username="provider.gn"), kind="annual", year=generated)
    assert not ReportPackage.objects.exists()


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_packages_page_in_each_language(
    generated: int, client: Client, language: str, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(User.objects.get(username="donor"))
    client.cookies["django_language"] = language
    page = client.get("/reports/packages/")
    assert page.status_code == 200
    edition = page.context["form"].fields["edition"]
    assert [code for code, _label in edition.choices] == ["public"]  # a donor reads only that one
    assert 'class="empty card"' in page.content.decode()
    untouched = client.post("/reports/packages/", {"year": "", "kind": "annual"})
    assert "year" in untouched.context["form"].errors and not ReportPackage.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/reports/packages/", {"kind": "annual", "year": str(generated)})
    assert done.status_code == 302
    package = ReportPackage.objects.get()
    assert package.edition == Edition.PUBLIC and package.language == language
    listed = client.get("/reports/packages/")
    assert f"/reports/packages/{package.uuid}/xlsx/" in listed.content.decode()
    detail = client.get(f"/reports/packages/{package.uuid}/")
    assert detail.status_code == 200 and 'data-edition="public"' in detail.content.decode()
    total = package.snapshot["total_persons"]
    grouped = {
        "en": f"{total:,}",
        "fr": f"{total:,}".replace(",", "\u00a0"),
        "ar": f"{total:,}".replace(",", "\u00a0"),
    }
    assert f"<bdi>{grouped[language]}</bdi>" in detail.content.decode()  # as the tables write it
    assert "This package was built in" not in detail.content.decode()
    other = "fr" if language != "fr" else "en"
    client.cookies["django_language"] = other
    built_note = {"en": "This package was built in", "fr": "Ce paquet a été produit en"}[other]
    assert built_note in client.get(f"/reports/packages/{package.uuid}/").content.decode()
    client.cookies["django_language"] = language
    download = client.get(f"/reports/packages/{package.uuid}/xlsx/")
    assert download.status_code == 200
    assert f"report-annual-{generated}-all-public.xlsx" in download["Content-Disposition"]
    # another reader cannot open it, nor learn it exists
    client.force_login(User.objects.get(username="manager.be"))
    assert client.get(f"/reports/packages/{package.uuid}/").status_code == 404
    assert client.get(f"/reports/packages/{package.uuid}/xlsx/").status_code == 404


def test_the_api_asks_lists_and_downloads(
    generated: int, api_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    donor = api_client.as_(User.objects.get(username="donor"))
    refused = donor.post(
        "/reports/packages", {"kind": "annual", "year": generated, "edition": "confidential"}
    )
    assert refused.status_code == 403
    bad = donor.post("/reports/packages", {"kind": "quarterly", "year": generated})
    assert bad.status_code == 422 and "quarter" in bad.content.decode()
    # A quarter sent with an annual package was ignored: the year's package came back.
    mixed = donor.post("/reports/packages", {"kind": "annual", "year": generated, "quarter": 2})
    assert mixed.status_code == 422 and [e["field"] for e in mixed.json()["errors"]] == ["quarter"]
    with django_capture_on_commit_callbacks(execute=True):
        made = donor.post("/reports/packages", {"kind": "quarterly", "year": generated, "quarter": 1})
    assert made.status_code == 201, made.content
    found = made.json()
    assert found["edition"] == "public"
    listed = donor.get("/reports/packages")
    assert listed.status_code == 200 and [p["uuid"] for p in listed.json()["items"]] == [found["uuid"]]
    one = donor.get(f"/reports/packages/{found['uuid']}").json()
    assert one["status"] == "succeeded" and "xlsx" in one["files"] and one["report"]["edition"] == "public"
    # Its outcome in the request's language, as the jobs API says it (it stayed in the
    # language it was asked in).
    french = donor.client.get(
        f"/api/v1/reports/packages/{found['uuid']}", HTTP_ACCEPT_LANGUAGE="fr", **donor.auth
    ).json()
    assert french["outcome"] and french["outcome"] != one["outcome"]
    file = donor.get(f"/reports/packages/{found['uuid']}/files/xlsx")
    assert file.status_code == 200 and file.content[:2] == b"PK"
    manager = api_client.as_(User.objects.get(username="manager.be"))
    assert manager.get(f"/reports/packages/{found['uuid']}").status_code == 404
    assert manager.get(f"/reports/packages/{found['uuid']}/files/xlsx").status_code == 404


def test_a_package_for_one_country_counts_that_country_in_every_table(
    generated: int, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime as dt

    from remis.reports.statistics import Population

    manager = User.objects.get(username="manager.be")
    year = Filters(dt.date(generated, 1, 1), dt.date(generated, 12, 31), Population.ASSISTED)
    everyone = exact_breakdown(manager, year, "origin")
    assert everyone is not None and len(everyone.rows) > 1, "assisted returnees of several countries"
    country = everyone.rows[0].key
    package = _build(
        django_capture_on_commit_callbacks,
        manager,
        kind="annual",
        year=generated,
        origin=country,
        edition=Edition.CONFIDENTIAL,
    )
    assisted = next(s for s in package.snapshot["sections"] if s["key"] == "assistance")
    expected = exact_breakdown(manager, replace(year, origins=(country,)), "assistance")
    assert expected is not None and expected.rows
    assert [b["persons"] for b in assisted["bars"]] == [r.persons for r in expected.rows]
    monitored = next(s for s in package.snapshot["sections"] if s["key"] == "monitoring")
    assert {b["label"] for b in monitored["bars"]} <= {everyone.rows[0].label}


def test_the_same_request_sent_twice_while_it_is_built_makes_one_package(generated: int) -> None:
    """A double click (or Back, then the button) built two identical packages with two jobs."""
    manager = User.objects.get(username="manager.be")
    before = ReportPackage.objects.count()
    first = request_package(manager, kind="annual", year=generated)  # its job waits: not run here
    again = request_package(manager, kind="annual", year=generated)
    assert again.pk == first.pk and ReportPackage.objects.count() == before + 1
    other = request_package(manager, kind="quarterly", year=generated, quarter=1)
    assert other.pk != first.pk  # another request is another package


def test_sheet_names_are_cut_at_a_word_and_marked() -> None:
    """Excel allows 31 characters: titles were cut mid-word ("…, 2024–s")."""
    from remis.lib.spreadsheet import sheet_title as _sheet_title

    used: set[str] = set()
    assert _sheet_title("Top 10 host countries, 2024–2026", used) == "Top 10 host countries"
    assert _sheet_title("أول 10 بلدان استقبال، 2024–2026", used) == "أول 10 بلدان استقبال، 2024–2026"
    assert _sheet_title("Top 10 host countries, 2024–2026", used) == "Top 10 host countries (2)"
    assert _sheet_title("By sex", used) == "By sex"
    # A long title loses its period first (every sheet's is the package's); the host and the
    # origin tables of a French book were both "Les 10 premiers pays…".
    host = _sheet_title("Les 10 premiers pays d’accueil, 2024–2026", used)
    origin = _sheet_title("Les 10 premiers pays d’origine, 2024–2026", used)
    assert (host, origin) == ("Les 10 premiers pays d’accueil", "Les 10 premiers pays d’origine")
    regions = _sheet_title("Les 10 premiers pays d’origine depuis chaque région d’accueil, 2026", used)
    assert regions == "Les 10 premiers pays d’origine…" and len(regions) <= 31
    assert all(len(name) <= 31 for name in used)
    # The subject access file's French sheets read "Organisations détenant le dossi".
    assert _sheet_title("Organisations détenant le dossier") == "Organisations détenant le…"
    assert _sheet_title("Notes", {"notes"}) == "Notes (2)"  # Excel tells names apart whatever their case
    # The Arabic monitoring export's sheet read "بيانات المتابعة (الصيغة الطويلة", its bracket open.
    assert _sheet_title("بيانات المتابعة (الصيغة الطويلة)") == "بيانات المتابعة"
    assert _sheet_title("Monitoring data (long format)") == "Monitoring data (long format)"


def test_a_hidden_total_is_written_as_hidden_in_the_definition_sheet() -> None:
    """A public package whose total was hidden left the cell blank, where every table of
    the same package writes "x"."""
    from types import SimpleNamespace

    from remis.reports.packages import definition

    package = SimpleNamespace(
        snapshot={"total_persons": "x", "total_cases": 12, "as_of": None},
        kind="annual",
        year=2025,
        quarter=None,
        programme=None,
        origin="",
        edition=Edition.PUBLIC,
        requested_by=SimpleNamespace(get_username=lambda: "me.gn"),
    )
    rows = dict(definition(package, for_sheet=True))  # type: ignore[arg-type]
    assert rows["Total persons"] == "x" and rows["Total cases (households)"] == 12
