"""The import pages and job: upload, map, follow, report, run again; who may see what; files
that cannot be read; an interrupted import run again."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from remis.audit.labels import ACTION_LABELS
from remis.audit.models import AuditEntry
from remis.cases.imports import COLUMNS, CaseImporter
from remis.cases.models import Case, CaseAccess
from remis.cases.tests.factories import make_user
from remis.cases.tests.import_files import HEADER, case_row, cases_csv
from remis.interop import importing
from remis.interop.models import ColumnMapping, RecordImport
from remis.programmes.models import Programme


@pytest.fixture
def paula(world: Any, settings: Any) -> Any:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return make_user("paula", world.be_office, "programme_manager", ["BE"])


def _upload(client: Any, world: Any, data: bytes, name: str = "cases.csv", **fields: str) -> Any:
    form = {
        "entity": "cases",
        "organisation": str(world.be_office.pk),
        "mode": "valid_rows",
        "file": SimpleUploadedFile(name, data),
        **fields,
    }
    return client.post("/imports/", form)


def test_a_file_is_checked_then_imported(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(paula)
    rows = [case_row(), case_row(external_id="OLD-2", sex="Q")]
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, world, cases_csv(rows).getvalue(), mode="check")
    kept = RecordImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{kept.uuid}/"
    assert not Case.objects.exists()
    page = client.get(f"/imports/{kept.uuid}/").content.decode()
    assert "Nothing was written" in page and "sex" in page and "Q" in page
    assert "Would be added" in page  # a check adds nothing: its counts say so
    report = client.get(f"/imports/{kept.uuid}/report.csv")
    assert report["Content-Type"] == "text/csv; charset=utf-8"  # as the API says it
    lines = b"".join(report.streaming_content).decode().splitlines()
    assert lines[0] == "\ufeffRow,Column,Value,Message" and lines[1].startswith("3,sex,Q,")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{kept.uuid}/again/", {"mode": "valid_rows"})
    assert CaseAccess.objects.filter(external_id="OLD-1").exists() and Case.objects.count() == 1
    imported = client.get(f"/imports/{kept.uuid}/").content.decode()
    assert "Of 2 rows read: added 1," in imported and "Would be added" not in imported
    # Every entry the import left reads as a sentence in the audit log.
    assert set(AuditEntry.objects.values_list("action", flat=True)) - set(ACTION_LABELS) == set()


def test_a_file_with_headers_and_no_rows_is_not_a_success(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A "Done · 0 rows checked" read as a success."""
    from remis.jobs.models import JobStatus

    client = signed_in(paula)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, world, cases_csv([]).getvalue(), mode="check")
    kept = RecordImport.objects.get()
    assert kept.job is not None and kept.job.status == JobStatus.FAILED
    assert "no rows below them" in client.get(f"/imports/{kept.uuid}/").content.decode()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", "Le fichier a ses en-têtes de colonnes mais aucune ligne en dessous"),
        ("ar", "فشل"),
    ],
)
def test_a_failed_import_says_why_in_the_language_it_is_read_in(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any, language: str, words: str
) -> None:
    """The reason was stored in the uploader's language when the job ran, and shown so to
    them reading in French or Arabic (in Arabic, an English sentence laid out right to left)."""
    client = signed_in(paula)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, world, cases_csv([]).getvalue(), mode="check")
    kept = RecordImport.objects.get()
    assert kept.job is not None and "no rows below them" in kept.job.outcome  # as it ran, in English
    paula.preferred_language = language
    paula.save(update_fields=["preferred_language"])
    for address in (f"/imports/{kept.uuid}/", "/imports/", "/jobs/"):
        page = client.get(address).content.decode()
        assert "no rows below them" not in page, address
        with translation.override(language):
            again = translation.gettext(
                "The file has its column headers but no rows below them: nothing to import."
            )
        assert again in page and words in page, address


def test_other_headers_are_mapped_and_the_mapping_kept(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(paula)
    header = ["Numéro" if h == "external_id" else h for h in HEADER]
    row = case_row()
    row["Numéro"] = row.pop("external_id")
    data = cases_csv([row], header=header).getvalue()
    response = _upload(client, world, data)
    kept = RecordImport.objects.get()
    assert response["Location"] == f"/imports/{kept.uuid}/map/" and kept.job is None
    page = client.get(response["Location"]).content.decode()
    assert "Numéro" in page
    posted = {f"column_{i}": ("external_id" if h == "Numéro" else h) for i, h in enumerate(header)}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {**posted, "save_as": "Old database"})
    assert CaseAccess.objects.filter(external_id="OLD-1").exists()
    saved = ColumnMapping.objects.get(name="Old database")
    # The same page confirmed again from a second tab: said, not silently dropped.
    again = client.post(response["Location"], {**posted, "save_as": "Tab two"}, follow=True).content.decode()
    assert "This import had already started, from another tab or window" in again
    assert not ColumnMapping.objects.filter(name="Tab two").exists()
    # The next file from that source is mapped by choosing the saved mapping: read at once.
    with django_capture_on_commit_callbacks(execute=True):
        second = _upload(client, world, data, mapping=str(saved.uuid))
    assert second["Location"].endswith("/") and not second["Location"].endswith("/map/")
    # Its next file wrote the headers in capitals: the saved mapping still reads it (it was
    # dropped whole, and the mapping page showed every column "not imported").
    shouting = cases_csv([row], header=[h.upper() for h in header]).getvalue()
    with django_capture_on_commit_callbacks(execute=True):
        third = _upload(client, world, shouting, mapping=str(saved.uuid))
    assert not third["Location"].endswith("/map/")
    assert RecordImport.objects.order_by("-id")[0].mapping["NUMÉRO"] == "external_id"


def test_a_mapping_leaving_out_a_required_column_names_it(world: Any, paula: Any, signed_in: Any) -> None:
    client = signed_in(paula)
    data = cases_csv([case_row()], header=[h for h in HEADER if h != "family_name"]).getvalue()
    response = _upload(client, world, data)
    kept = RecordImport.objects.get()
    assert kept.job is None
    posted = {f"column_{i}": h for i, h in enumerate(h for h in HEADER if h != "family_name")}
    page = client.post(response["Location"], posted).content.decode()
    assert "family_name" in page and "required" in page
    assert RecordImport.objects.get().job is None


def test_another_persons_import_is_not_found(world: Any, paula: Any, signed_in: Any) -> None:
    client = signed_in(paula)
    _upload(client, world, cases_csv([case_row()]).getvalue(), mode="check")
    kept = RecordImport.objects.get()
    other = make_user("pierre", world.be_office, "programme_manager", ["BE"])
    client = signed_in(other)
    for path in ("", "report.csv", "map/"):
        assert client.get(f"/imports/{kept.uuid}/{path}").status_code == 404
    assert client.post(f"/imports/{kept.uuid}/again/", {"mode": "valid_rows"}).status_code == 404


def test_a_role_without_the_permission_is_refused(world: Any, signed_in: Any) -> None:
    client = signed_in(world.carol)  # M&E officer
    assert client.get("/imports/").status_code == 403
    assert client.get("/imports/templates/cases.csv").status_code == 403
    assert _upload(client, world, cases_csv([case_row()]).getvalue()).status_code == 403
    assert not RecordImport.objects.exists()


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "empty.csv", "empty"),
        ("external_id;given_name\nA;Séverine\n".encode("latin-1"), "latin1.csv", "UTF-8"),
        (b"PK\x03\x04broken", "cut.xlsx", ""),
    ],
)
def test_an_unreadable_file_is_refused_on_the_form(
    world: Any, paula: Any, signed_in: Any, data: bytes, name: str, expected: str
) -> None:
    page = _upload(signed_in(paula), world, data, name=name)
    assert page.status_code == 200
    assert 'class="error"' in page.content.decode() and expected in page.content.decode()
    assert not RecordImport.objects.exists()


def test_the_templates_have_every_column(world: Any, paula: Any, signed_in: Any) -> None:
    client = signed_in(paula)
    text = client.get("/imports/templates/cases.csv").content.decode("utf-8-sig")
    assert text.splitlines()[0].split(",") == [c.name for c in COLUMNS]
    book = openpyxl.load_workbook(io.BytesIO(client.get("/imports/templates/cases.xlsx").content))
    first, about = book.worksheets
    assert [c.value for c in first[1]] == [c.name for c in COLUMNS]
    described = {row[0]: row for row in about.iter_rows(min_row=2, values_only=True)}
    assert "closed" in described["stage"][3] and described["external_id"][2]


def test_an_interrupted_import_run_again_ends_as_an_uninterrupted_one(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(importing, "CHUNK", 3)
    rows = [case_row(external_id=f"OLD-{i}", given_name=f"Name{chr(65 + i)}") for i in range(10)]
    original = CaseImporter.write
    calls = {"n": 0}

    def dies_on_the_third_chunk(self: Any, accepted: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        original(self, accepted)

    monkeypatch.setattr(CaseImporter, "write", dies_on_the_third_chunk)
    client = signed_in(paula)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, world, cases_csv(rows).getvalue())
    kept = RecordImport.objects.get()
    assert kept.job is not None and kept.job.status == "failed"
    assert Case.objects.count() == 6  # two chunks committed
    monkeypatch.setattr(CaseImporter, "write", original)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{kept.uuid}/again/", {"mode": "valid_rows"})
    ids = sorted(CaseAccess.objects.values_list("external_id", flat=True))
    assert ids == sorted(f"OLD-{i}" for i in range(10))
    references = sorted(Case.objects.values_list("reference", flat=True))
    assert references == [f"GIN-2010-{n:06d}" for n in range(1, 11)]  # none lost to the failure
    assert AuditEntry.objects.filter(action="case.import").count() == 10


def test_one_bad_row_at_the_end_of_a_long_file_keeps_all_or_nothing(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rows = [case_row(external_id=f"OLD-{i}") for i in range(4500)]
    rows.append(case_row(external_id="LAST", arrival_date="2010-13-01"))
    client = signed_in(paula)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, world, cases_csv(rows).getvalue(), mode="all_or_nothing")
    kept = RecordImport.objects.get()
    assert not Case.objects.exists()
    assert kept.job is not None
    result = kept.job.result or {}
    assert result["refused"] == 1 and result["created"] == 0  # nothing was added
    assert result["problems"][0] == {
        "row": 4502,
        "column": "arrival_date",
        "value": "2010-13-01",
        "message": "“2010-13-01” is not a day of the calendar.",
    }


def test_the_templates_examples_work_together_and_say_how_to_write_dates(
    world: Any, paula: Any, signed_in: Any
) -> None:
    """The consent example was of data processing, so the visit example (which needs the
    follow-up contact consent) could never be imported after it; the member example was a
    "child" with the principal's name and birth; most date columns said nothing of the form."""
    client = signed_in(paula)

    def example(entity: str) -> dict[str, str]:
        text = client.get(f"/imports/templates/{entity}.csv").content.decode("utf-8-sig").splitlines()
        return dict(zip(text[0].split(","), text[1].split(","), strict=True))

    assert example("consents")["purpose"] == "follow_up_contact"
    member, principal = example("household_members"), example("cases")
    assert (member["given_name"], member["date_of_birth"]) != (
        principal["given_name"],
        principal["date_of_birth"],
    )
    book = openpyxl.load_workbook(io.BytesIO(client.get("/imports/templates/cases.xlsx").content))
    described = {row[0]: row for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert all(
        "YYYY-MM-DD" in (described[c][4] or "") for c in ("date_of_birth", "arrival_date", "closed_on")
    )


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_templates_example_row_imports(world: Any, paula: Any, signed_in: Any, kind: str) -> None:
    # A programme sorting first that covers neither the example's countries nor paula's:
    # the example row names a programme with countries she may import for, not the first code.
    Programme.objects.create(
        code="AAA-AMERICAS", name="Americas", funder="", starts_on="2026-01-01",
        host_countries=["US"], origin_countries=["HN"],
    )  # fmt: skip
    client = signed_in(paula)
    template = client.get(f"/imports/templates/cases.{kind}").content
    entity = importing.entity_for("cases")
    assert entity is not None
    with importing.temporary_report() as report:
        run = importing.Run(entity, paula, world.be_office, mode="check", mapping={}, report=report)
        result = run.read(io.BytesIO(template), f"template.{kind}")
    assert (result.created, result.refused) == (1, 0), result.problems


def test_an_import_run_in_french_reads_in_english_for_an_english_reader(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(paula)
    client.post("/accounts/language/", {"language": "fr", "next": "/"})
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, world, cases_csv([case_row()]).getvalue(), mode="check")
    kept = RecordImport.objects.get()
    assert kept.job is not None and "1 ligne vérifiée" in str(kept.job.outcome)  # stored as it ran
    client.post("/accounts/language/", {"language": "en", "next": "/"})
    page = client.get(f"/imports/{kept.uuid}/").content.decode()
    assert "Checked 1 row." in page and "Checked: nothing written" in page
    assert "Checked 1 row." in client.get("/imports/").content.decode()
    # So do the Jobs page and the API (which said it in the language it ran in).
    assert "Checked 1 row." in client.get("/jobs/", {"mine": "1"}).content.decode()
    from remis.jobs.api import JobOut

    assert JobOut.resolve_outcome(kept.job).startswith("Checked 1 row.")
    # An export's too: "214 rows written." stayed in the language it was asked in.
    from remis.interop import actions

    with django_capture_on_commit_callbacks(execute=True):
        export = actions.request_export(
            paula, kind_code="cases", filters={}, file_format="csv", labels=False, language="en"
        )
    assert export.job is not None
    export.job.refresh_from_db()
    with translation.override("fr"):
        assert JobOut.resolve_outcome(export.job) == "0 ligne écrite."


def test_a_run_that_wrote_nothing_is_not_shown_succeeded_and_its_refusals_name_their_language(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(paula)
    client.post("/accounts/language/", {"language": "fr", "next": "/"})
    rows = [case_row(external_id="A-1"), case_row(external_id="A-2", arrival_date="2010-13-01")]
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, world, cases_csv(rows).getvalue(), mode="all_or_nothing")
    kept = RecordImport.objects.get()
    client.post("/accounts/language/", {"language": "en", "next": "/"})
    page = client.get(f"/imports/{kept.uuid}/").content.decode()
    assert '<span class="badge job-nothing">Nothing written</span>' in page
    assert "Succeeded" not in page
    assert "n’est pas un jour du calendrier" in page  # as written when it ran
    assert "These messages were written when the work ran, in French." in page
    # Marked as French text, so that an Arabic page lays it out left to right (its quotes
    # and full stops moved to the wrong ends).
    assert '<td lang="fr" dir="ltr">' in page
    client.post("/accounts/language/", {"language": "ar", "next": "/"})
    assert '<td lang="fr" dir="ltr">' in client.get(f"/imports/{kept.uuid}/").content.decode()
    client.post("/accounts/language/", {"language": "fr", "next": "/"})
    assert '<td lang="fr"' not in client.get(f"/imports/{kept.uuid}/").content.decode()  # its own language
    client.post("/accounts/language/", {"language": "en", "next": "/"})
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("fr"):
        french = render_to_string("includes/written_in.html", {"language": "ar", "LANG": "fr"})
    assert "en arabe." in french  # a language's name within a French sentence: lower case
    assert (
        '<span class="badge job-nothing">Nothing written</span>' in client.get("/imports/").content.decode()
    )


def test_a_saved_mapping_reads_the_next_files_headers_whatever_their_case(world: Any) -> None:
    """The mapping saved from a source's first file ("old id" → external_id) did not apply to
    its next one, which wrote "Old ID": the header was refused as unknown."""
    entity = importing.entity_for("cases")
    assert entity is not None
    saved = {"old id": "external_id", "Prénom": "given_name", "NOM-FAMILLE": "family_name"}
    header = [
        "Old ID",
        "prénom",
        "nom famille",
        "programme",
        "category",
        "host_country",
        "origin_country",
        "stage",
    ]
    assert importing.header_problems(entity, header, saved) == []
    assert importing.resolved_mapping(entity, header, saved)[:3] == [
        "external_id",
        "given_name",
        "family_name",
    ]


def test_an_upload_is_deleted_by_its_uploader_with_its_file_and_report(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A wrong file stayed listed as "Map the columns" for ever, its personal data kept."""
    from remis.jobs.models import Job, JobStatus

    client = signed_in(paula)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, world, cases_csv([case_row(sex="Q")]).getvalue(), mode="valid_rows")
    kept = RecordImport.objects.get()
    storage, names = kept.file.storage, [kept.file.name, kept.report.name]
    assert all(storage.exists(name) for name in names)
    page = client.get(f"/imports/{kept.uuid}/").content.decode()
    assert f'action="/imports/{kept.uuid}/delete/"' in page and "The records it imported stay." in page
    # Someone else's: not found, nothing deleted.
    other = make_user("pierre", world.be_office, "programme_manager", ["BE"])
    assert signed_in(other).post(f"/imports/{kept.uuid}/delete/").status_code == 404
    assert RecordImport.objects.filter(pk=kept.pk).exists()
    # Running: refused, said.
    assert kept.job is not None
    Job.objects.filter(pk=kept.job.pk).update(status=JobStatus.RUNNING)
    client = signed_in(paula)
    refused = client.post(f"/imports/{kept.uuid}/delete/", follow=True).content.decode()
    assert "This import is running" in refused and RecordImport.objects.filter(pk=kept.pk).exists()
    Job.objects.filter(pk=kept.job.pk).update(status=JobStatus.SUCCEEDED)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/imports/{kept.uuid}/delete/")
    assert done.status_code == 302 and done["Location"] == "/imports/"
    assert not RecordImport.objects.exists() and not any(storage.exists(name) for name in names)
    entry = AuditEntry.objects.get(action="interop.import_delete")
    assert entry.actor == paula and entry.changes == {"entity": ["cases", None]}
    # Nor do its runs keep the refused rows' values (the Jobs API still showed "Q").
    job = Job.objects.get()
    assert job.result is not None and job.result["problems"] == [] and job.result["refused"] == 1


def test_the_page_says_when_it_shows_only_the_first_problems(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    """Two refused rows with two problems each, three kept for the page: the table looked
    complete (refused rows were compared with kept problems)."""
    monkeypatch.setattr(importing, "KEPT_PROBLEMS", 3)
    client = signed_in(paula)
    rows = [case_row(external_id=f"TWO-{i}", sex="Q", stage="flying") for i in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, world, cases_csv(rows).getvalue(), mode="check")
    kept = RecordImport.objects.get()
    assert kept.job is not None and kept.job.result is not None
    assert kept.job.result["refused"] == 2 and kept.job.result["problem_count"] == 4
    page = client.get(f"/imports/{kept.uuid}/").content.decode()
    assert "The first 3 problems are shown here." in page


def test_the_jobs_page_names_each_import_file_with_a_link_to_its_report(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Every import read "Import records" with counts: nothing told which file, nor led to
    its report. Its owner reads the file's name; an administrator reading others' jobs not."""
    client = signed_in(paula)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, world, cases_csv([case_row()]).getvalue(), name="mission-2019.csv", mode="check")
    kept = RecordImport.objects.get()
    page = client.get("/jobs/").content.decode()
    assert "mission-2019.csv" in page and f"/imports/{kept.uuid}/" in page
    admin = signed_in(world.admin).get("/jobs/").content.decode()
    assert "mission-2019.csv" not in admin
