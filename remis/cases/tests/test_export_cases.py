"""The case list exported: from the list's "Export these cases" link with its filters, as a
background job, only the cases in the requester's scope, the sensitive category hidden from
those without its group, formulas escaped, audited without the search's text, downloadable
by the requester alone; and an exported list imports again unchanged (the same columns)."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from remis.audit.labels import ACTION_LABELS
from remis.audit.models import AuditEntry
from remis.cases import actions
from remis.cases.lifecycle import Stage
from remis.cases.models import Case, CaseAccess
from remis.cases.tests.factories import make_person, make_user
from remis.cases.tests.import_files import case_row, cases_csv
from remis.interop.models import RecordExport, RecordImport
from remis.programmes.models import MigrantCategory


@pytest.fixture
def paula(world: Any, settings: Any) -> Any:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return make_user("paula", world.be_office, "programme_manager", ["BE"])


def _import(client: Any, world: Any, data: bytes, capture: Any, mode: str = "valid_rows") -> RecordImport:
    form = {
        "entity": "cases",
        "organisation": str(world.be_office.pk),
        "mode": mode,
        "file": SimpleUploadedFile("cases.csv", data),
    }
    with capture(execute=True):
        client.post("/imports/", form)
    return RecordImport.objects.order_by("-id")[0]


def _export(client: Any, capture: Any, kind: str = "cases", **fields: str) -> RecordExport:
    with capture(execute=True):
        response = client.post(f"/exports/new/{kind}/", {"format": "csv", "headers": "codes", **fields})
    kept = RecordExport.objects.order_by("-id").first()
    assert kept is not None and response["Location"] == f"/exports/{kept.uuid}/"
    return kept


def _rows(client: Any, kept: RecordExport) -> list[dict[str, str]]:
    response = client.get(f"/exports/{kept.uuid}/file")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_case_list_is_exported_with_its_filters_and_imports_again_unchanged(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(paula)
    rows = [
        case_row(external_id="OLD-1"),
        case_row(external_id="OLD-2", given_name="Fatou", stage="returned", closure_reason="",
                 stage_before_closure="", closed_on=""),
    ]  # fmt: skip
    _import(client, world, cases_csv(rows).getvalue(), django_capture_on_commit_callbacks)
    # The case list offers the export with its filters; the form opens with them.
    page = client.post("/cases/", {"stage": "closed"}).content.decode()
    assert 'href="/exports/new/cases/?stage=closed' in page
    form = client.get("/exports/new/cases/?stage=closed").content.decode()
    assert '<option value="closed" selected>' in form

    kept = _export(client, django_capture_on_commit_callbacks, stage="closed")
    exported = _rows(client, kept)
    assert [r["external_id"] for r in exported] == ["OLD-1"]
    assert exported[0]["given_name"] == "Mariama" and exported[0]["closed_on"] == "2012-06-30"
    assert exported[0]["programme"] == "BE-REAB" and exported[0]["registered_on"] == "2010-01-15"
    detail = client.get(f"/exports/{kept.uuid}/").content.decode()
    assert "1 row written." in detail and "Stage: Closed" in detail
    # A search by similar spellings: the same cases as the list, the box said in words.
    alike = _export(client, django_capture_on_commit_callbacks, q="Mariamah", similar="on")
    assert [r["external_id"] for r in _rows(client, alike)] == ["OLD-1"]
    detail = client.get(f"/exports/{alike.uuid}/").content.decode()
    assert "Similar spellings: yes" in detail and "True" not in detail and "Mariamah" not in detail

    # The file is the import's: imported again, every row is found unchanged.
    everything = _rows(client, _export(client, django_capture_on_commit_callbacks))
    assert {r["external_id"] for r in everything} == {"OLD-1", "OLD-2"}
    again = _import(client, world, _as_csv(everything), django_capture_on_commit_callbacks, mode="check")
    assert again.job is not None and again.job.result is not None
    assert again.job.result["unchanged"] == 2 and again.job.result["refused"] == 0


def _as_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_only_cases_in_scope_and_no_sensitive_category_without_its_group(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sensitive = MigrantCategory.objects.exclude(sensitive_group="").order_by("code").first()
    assert sensitive is not None
    _import(
        signed_in(paula),
        world,
        cases_csv([case_row(external_id="S-1", category=sensitive.code)]).getvalue(),
        django_capture_on_commit_callbacks,
    )
    actions.register_case(  # the Dutch office's case: outside the Belgian scope
        world.dave,
        world.nl_office,
        programme=world.programme,
        category=MigrantCategory.objects.get(code="rejected_asylum_seeker"),
        host_country="NL",
        origin_country="GN",
        person=make_person(),
    )
    client = signed_in(world.carol)  # an M&E officer: exports, holds no sensitive group
    rows = _rows(client, _export(client, django_capture_on_commit_callbacks))
    # The category it reads as ("restricted" gave it away: the one sensitive category).
    assert len(rows) == 1 and rows[0]["category"] == "other"  # a code, in a column of codes
    worded = _rows(client, _export(client, django_capture_on_commit_callbacks, headers="labels"))
    assert [r["Migrant category"] for r in worded] == ["Other"], worded
    # Imported again by a manager holding the group, the file does not reclassify the case.
    again = io.StringIO()
    writer = csv.DictWriter(again, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    kept = _import(signed_in(paula), world, again.getvalue().encode(), django_capture_on_commit_callbacks)
    assert kept.job is not None
    assert (kept.job.result or {})["unchanged"] == 1, kept.job.result
    from remis.cases.models import CaseAccess

    assert CaseAccess.objects.get(external_id="S-1").case.category == sensitive
    manager_rows = _rows(signed_in(paula), _export(signed_in(paula), django_capture_on_commit_callbacks))
    assert [r["category"] for r in manager_rows] == [sensitive.code]


def test_text_a_spreadsheet_would_run_is_written_as_text(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(paula)
    planted = '=HYPERLINK("http://example.org","click")'
    row = case_row(address=planted)
    _import(client, world, cases_csv([row], header=[*row]).getvalue(), django_capture_on_commit_callbacks)
    rows = _rows(client, _export(client, django_capture_on_commit_callbacks))
    assert rows[0]["address"] == "'" + planted
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/exports/new/cases/", {"format": "xlsx", "headers": "labels"})
    kept = RecordExport.objects.order_by("-id")[0]
    response = client.get(f"/exports/{kept.uuid}/file")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["External ID", "Reference"]
    address = sheet.cell(row=2, column=header.index("Address in the country of origin") + 1)
    assert address.data_type == "s" and address.quotePrefix and address.value == planted
    assert book.worksheets[1].title == "About"
    # Asked with labels, coded cells are words too (headers were labels over "BE", "M"…).
    values = dict(zip(header, [c.value for c in sheet[2]], strict=False))
    assert values["Host country"] == "Belgium" and values["Country of origin"] == "Guinea"
    assert values["Stage"] not in {s.value for s in Stage} and values["Stage"]
    assert rows[0]["host_country"] == "BE"  # a file with codes keeps codes, to import again
    # Days are date cells, which a spreadsheet sorts and filters (they were text), and the
    # importer reads them back as the same days.
    import datetime as dt

    from remis.interop.tables import open_table

    days = [v for v in values.values() if isinstance(v, dt.datetime | dt.date)]
    assert days, values
    content = b"".join(client.get(f"/exports/{kept.uuid}/file").streaming_content)
    with open_table(io.BytesIO(content), "export.xlsx") as table:
        first = next(iter(table.rows))
    assert days[0].strftime("%Y-%m-%d") in first.cells, first.cells


def test_the_export_is_audited_without_the_search_and_is_the_requesters_alone(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(paula)
    _import(client, world, cases_csv([case_row()]).getvalue(), django_capture_on_commit_callbacks)
    kept = _export(client, django_capture_on_commit_callbacks, q="Mariama")
    assert [r["given_name"] for r in _rows(client, kept)] == ["Mariama"]
    asked = AuditEntry.objects.get(action="interop.export")
    assert asked.changes["filters"] == [None, {"search": True}]
    assert "Mariama" not in str(asked.changes)
    assert AuditEntry.objects.filter(action="interop.export_download").count() == 1
    assert set(AuditEntry.objects.values_list("action", flat=True)) - set(ACTION_LABELS) == set()
    # Another manager of the same office finds neither the page nor the file.
    other = signed_in(make_user("pierre", world.be_office, "programme_manager", ["BE"]))
    for path in (f"/exports/{kept.uuid}/", f"/exports/{kept.uuid}/file"):
        assert other.get(path).status_code == 404
    assert "You have not exported anything yet." in other.get("/exports/").content.decode()
    # A counsellor reads cases but does not export them.
    counsellor = signed_in(world.alice)
    assert counsellor.get("/exports/").status_code == 403
    assert counsellor.post("/exports/new/cases/", {"format": "csv", "headers": "codes"}).status_code == 403
    assert 'href="/exports/new/cases/' not in counsellor.post("/cases/", {}).content.decode()
    # Deleting removes the export and its file.
    client = signed_in(paula)
    name = kept.file.name
    storage = kept.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/exports/{kept.uuid}/delete/")
    assert response["Location"] == "/exports/"
    assert not RecordExport.objects.filter(pk=kept.pk).exists() and not storage.exists(name)
    assert AuditEntry.objects.filter(action="interop.export_delete").count() == 1


def test_bad_filters_are_named_and_nothing_is_asked(world: Any, paula: Any, signed_in: Any) -> None:
    client = signed_in(paula)
    response = client.post(
        "/exports/new/cases/",
        {"format": "pdf", "headers": "codes", "arrived_from": "2024-02-30", "stage": "nowhere"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and not RecordExport.objects.exists()
    for field in ("arrived_from", "stage", "format"):
        assert f'id="export-{field}' in page or f'id="file-{field}' in page
    assert page.count('class="errorlist') >= 3 or page.count("error") >= 3


def test_exports_past_their_retention_are_deleted_with_their_file(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    client = signed_in(paula)
    old = _export(client, django_capture_on_commit_callbacks)
    recent = _export(client, django_capture_on_commit_callbacks)
    RecordExport.objects.filter(pk=old.pk).update(requested_at=timezone.now() - dt.timedelta(days=8))
    name, storage = old.file.name, old.file.storage
    settings.REMIS_EXPORTS_KEEP_DAYS = 7
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_exports", stdout=io.StringIO())
    assert list(RecordExport.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not storage.exists(name) and storage.exists(recent.file.name)
    assert AuditEntry.objects.filter(action="interop.export_expire").count() == 1


def test_cases_registered_in_remis_export_and_import_back_by_their_reference(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from remis.cases.tests.factories import register
    from remis.cases.tests.import_files import rows_csv, run_import

    case = register(world)  # registered on the pages: no external ID
    client = signed_in(paula)
    exported = _rows(client, _export(client, django_capture_on_commit_callbacks))
    assert [(r["reference"], r["external_id"]) for r in exported] == [(case.reference, "")]
    checked = run_import(paula, world.be_office, "cases", rows_csv(exported))
    assert (checked.unchanged, checked.refused) == (1, 0), checked.report_rows
    # Given an external ID now, the case keeps it: the next file finds it by that ID.
    exported[0]["external_id"] = "DB-77"
    linked = run_import(paula, world.be_office, "cases", rows_csv(exported))
    assert (
        linked.updated == 1
        and CaseAccess.objects.get(case=case, organisation=world.be_office).external_id == "DB-77"
    )
    exported[0]["reference"] = ""
    assert run_import(paula, world.be_office, "cases", rows_csv(exported)).unchanged == 1
    # Records of the case are imported naming it by its reference too.
    member = {
        "case_external_id": case.reference.lower(),
        "member_external_id": "M-1",
        "relation": "child",
        "given_name": "Ousmane",
        "family_name": "Testperson",
        "sex": "M",
        "date_of_birth": "2012-02-11",
    }
    result = run_import(paula, world.be_office, "household_members", rows_csv([member]))
    assert result.created == 1, result.report_rows


def test_the_export_offers_the_countries_and_organisations_the_list_offers(
    world: Any, paula: Any, signed_in: Any
) -> None:
    """Not every country of the world and every organisation, each exporting nothing: the
    case list's own choices for the same reader."""
    client = signed_in(paula)
    listed = client.get("/cases/").context["form"]
    offered = client.get("/exports/new/cases/").context["form"]
    for name in ("host_country", "origin_country", "organisation"):
        assert list(offered.fields[name].choices) == list(listed.fields[name].choices), name
    hosts = [code for code, _label in offered.fields["host_country"].choices if code]
    assert "BE" in hosts and "US" not in hosts
    organisations = {str(label) for _pk, label in offered.fields["organisation"].choices}
    assert world.be_office.name in organisations
    refused = client.post("/exports/new/cases/", {"format": "csv", "headers": "codes", "host_country": "US"})
    assert refused.status_code == 200 and 'id="export-host_country' in refused.content.decode()
    assert not RecordExport.objects.exists()


def test_an_erased_persons_given_name_is_blank_in_the_export(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The pages' "—" came out as a given name in the file, where the API gives ""."""
    from remis.cases.tests.factories import erase

    _import(
        signed_in(paula),
        world,
        cases_csv([case_row(external_id="E-1")]).getvalue(),
        django_capture_on_commit_callbacks,
    )
    case = Case.objects.get()
    erase(world, case, case.principal, "data_subject_request")
    rows = _rows(signed_in(paula), _export(signed_in(paula), django_capture_on_commit_callbacks))
    assert [(r["external_id"], r["given_name"]) for r in rows] == [("E-1", "")]
