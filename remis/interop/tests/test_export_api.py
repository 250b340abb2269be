"""Exports through the JSON API: asked with the form's filters (bad ones named under
`filters.`), written by the job, the file read by its requester alone (audited), the
search's text never echoed; a role without the permission is refused."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from remis.audit.models import AuditEntry
from remis.cases.tests.factories import make_user, register


@pytest.fixture
def paula(world: Any, settings: Any) -> Any:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return make_user("paula", world.be_office, "programme_manager", ["BE"])


def test_an_export_is_asked_written_and_read_by_its_requester(
    world: Any, paula: Any, api_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = register(world)
    api = api_client.as_(paula)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/exports",
            {"kind": "cases", "format": "csv", "filters": {"stage": "registered", "q": case.reference}},
        )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["filters"] == {"stage": "registered", "search": True}
    done = api.get(f"/exports/{created['uuid']}").json()
    assert done["status"] == "succeeded" and done["rows"] == 1 and done["file"] is True
    file = api.get(f"/exports/{created['uuid']}/file")
    rows = list(csv.DictReader(io.StringIO(file.content.decode("utf-8-sig"))))
    assert [r["reference"] for r in rows] == [case.reference]
    assert AuditEntry.objects.filter(action="interop.export_download").count() == 1
    # Read in the audit search as words: "interop.recordexport #7", "rows", "format" and a
    # Python dict of filters were shown.
    from remis.audit.presentation import describe_entries

    views = describe_entries(
        AuditEntry.objects.filter(action__startswith="interop.export"), groups=frozenset()
    )
    text = str([(v.object_label, [(c.label, c.before, c.after) for c in v.changes]) for v in views])
    assert "Export #" in text and "'File format'" in text and "stage: registered" in text
    assert "recordexport" not in text and "{'" not in text
    listed = api.get("/exports").json()
    assert listed["count"] == 1 and listed["items"][0]["uuid"] == created["uuid"]
    pierre = make_user("pierre", world.be_office, "programme_manager", ["BE"])
    other = api_client.as_(pierre)
    assert other.get(f"/exports/{created['uuid']}").status_code == 404
    assert other.get(f"/exports/{created['uuid']}/file").status_code == 404
    # Nor refilled through the list of jobs with another user's scope (the file then held
    # theirs in place of the requester's rows), nor written again by its requester there.
    from remis.jobs.models import Job
    from remis.jobs.registry import job_kinds

    jobs = Job.objects.count()
    for who in (pierre, paula):
        again = api_client.as_(who).post(
            "/jobs", {"kind": "interop.export", "params": {"export": created["uuid"]}}
        )
        assert again.status_code == 422 and again.json()["errors"][0]["field"] == "kind", again.json()
    for kind in job_kinds():  # every kind that works on its owner's record: an import, a package
        if not kind.on_jobs_page:
            refused = api_client.as_(pierre).post("/jobs", {"kind": kind.code, "params": {}})
            assert refused.status_code == 422 and "own page" in refused.json()["detail"], kind.code
    assert Job.objects.count() == jobs
    kept = api_client.as_(paula).get(f"/exports/{created['uuid']}").json()
    assert kept.get("rows") == 1, kept
    # Its deletion reads the kind by its name ("Kind: cases" was the code).
    from remis.interop import actions as interop_actions
    from remis.interop.models import RecordExport

    interop_actions.delete_export(paula, RecordExport.objects.get(uuid=created["uuid"]))
    views = describe_entries(AuditEntry.objects.filter(action="interop.export_delete"), groups=frozenset())
    assert [(c.before, c.after) for c in views[0].changes if c.field == "kind"] == [("Case list", "—")]


def test_bad_requests_name_their_field(world: Any, paula: Any, api_client: Any) -> None:
    api = api_client.as_(paula)
    cases = [
        ({"kind": "nothing"}, "kind"),
        ({"kind": "cases", "filters": {"stage": "nowhere"}}, "filters.stage"),
        ({"kind": "cases", "filters": {"colour": "red"}}, "filters.colour"),
        ({"kind": "monitoring", "filters": {"collected_from": "2026-05-01", "collected_to": "2026-04-01"}},
         "filters.collected_to"),
        ({"kind": "cases", "format": "pdf"}, "format"),
    ]  # fmt: skip
    for body, field in cases:
        response = api.post("/exports", body)
        assert response.status_code == 422, body
        assert field in [e["field"] for e in response.json()["errors"]], response.json()
    # A country code in lower case is read, as GET /cases reads it ("gn" was refused).
    lower = api.post("/exports", {"kind": "cases", "filters": {"origin_country": "gn"}})
    assert lower.status_code == 201, lower.json()
    counsellor = api_client.as_(world.alice)
    assert counsellor.post("/exports", {"kind": "cases"}).status_code == 403
    assert counsellor.get("/exports").status_code == 403


def test_the_pages_file_says_its_text_encoding(
    world: Any, paula: Any, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The API's CSV said charset=utf-8; the page's download said nothing, and a tool that
    does not read the mark at the file's start took the names for Latin-1."""
    from remis.interop import actions

    case = register(world)
    with django_capture_on_commit_callbacks(execute=True):
        done = actions.request_export(
            paula, kind_code="cases", filters={}, file_format="csv", labels=False, language="en"
        )
    download = signed_in(paula).get(f"/exports/{done.uuid}/file")
    assert download.status_code == 200 and download["Content-Type"] == "text/csv; charset=utf-8"
    assert case.reference in b"".join(download.streaming_content).decode("utf-8-sig")
