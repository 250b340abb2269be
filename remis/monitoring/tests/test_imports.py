"""Importing a KoBoToolbox export of the reintegration instrument: submissions matched to
cases by reference (and to the open round), bad rows reported by row and field without
losing the good ones, a file imported twice adds nothing and says so; an ODK Central
export reads the same; a file that cannot be read fails the job with a clear message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from remis.cases import actions as cases
from remis.cases.tests.factories import returned_case
from remis.jobs.models import Job, JobStatus
from remis.lib.errors import PermissionDenied
from remis.monitoring.imports import upload_submissions
from remis.monitoring.models import FollowUp, FollowUpStatus, Instrument, Response, ResponseSource
from remis.monitoring.responses import current_instrument
from remis.monitoring.tests.test_instrument_scoring import answers

pytestmark = pytest.mark.django_db


def _rss() -> Instrument:
    instrument = current_instrument("reintegration-sustainability")
    assert instrument is not None
    return instrument


@pytest.fixture
def setting(world, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        case = returned_case(world)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    return case


def _kobo_csv(rows: list[dict[str, str]]) -> bytes:
    """As KoBoToolbox writes it: `;`, every field quoted, CRLF, XML names as headers, the
    select-multiple as one column and one 1/0 column per choice, its metadata last."""
    base = {k: (" ".join(v) if isinstance(v, list) else str(v)) for k, v in answers().items()}
    questions = list(base)
    header = ["start", "end", "case_reference", "instrument_code", "instrument_version", *questions]
    header += [f"access_to_resources/{c}" for c in ("credit", "savings_group", "tools", "premises", "none")]
    header += ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_index"]
    lines = [header]
    for index, row in enumerate(rows, start=1):
        values = {**base, **row}
        chosen = values["access_to_resources"].split()
        cells = [values.get(name, "") for name in header[: 5 + len(questions)]]
        cells += [
            "1" if c in chosen else "0" for c in ("credit", "savings_group", "tools", "premises", "none")
        ]
        cells += [
            str(index),
            values["_uuid"],
            values["_submission_time"],
            "",
            "",
            "submitted_via_web",
            str(index),
        ]
        lines.append(cells)
    text = "\r\n".join(";".join('"' + c.replace('"', '""') + '"' for c in line) for line in lines) + "\r\n"
    return text.encode("utf-8")


def _row(case, uuid: str, **changes: str) -> dict[str, str]:
    day = timezone.localdate().isoformat()
    return {
        "case_reference": case.reference,
        "instrument_code": "reintegration-sustainability",
        "instrument_version": "1",
        "_uuid": uuid,
        "_submission_time": f"{day}T09:30:00",
        **changes,
    }


def _import(world, content: bytes, name: str = "export.csv") -> Job:
    kept = upload_submissions(world.bob, _rss(), SimpleUploadedFile(name, content))
    assert kept.job_id is not None
    job = Job.objects.get(pk=kept.job_id)
    return job


def test_a_kobo_export_is_imported_row_by_row(world, setting, django_capture_on_commit_callbacks):
    case = setting
    round_one = FollowUp.objects.get(case=case, round=1)
    today = timezone.localdate()
    FollowUp.objects.filter(pk=round_one.pk).update(window_start=today - dt.timedelta(days=5))
    content = _kobo_csv(
        [
            _row(case, "a1"),
            _row(case, "a2", case_reference="GIN-2026-999999"),
            _row(case, "a3", income_covers_needs="whenever"),
            _row(case, "a4", instrument_version="7"),
            _row(case, "a1"),  # the same submission twice in one file
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = _import(world, content)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.outcome
    result = job.result or {}
    # The repeat is not "already imported before": it names the row kept.
    assert (result["rows"], result["imported"], result["duplicates"], result["failed"]) == (5, 1, 0, 4)
    problems = {(p["row"], p["field"]) for p in result["problems"]}
    assert problems == {
        *[(3, "case_reference"), (4, "income_covers_needs"), (5, "instrument_version")],
        (6, "_uuid"),
    }
    repeat = next(p["message"] for p in result["problems"] if p["row"] == 6)
    assert repeat == "The same submission is on row 2 of this file: it is imported once."
    assert result["outside_count"] == 0
    kept = Response.objects.get()
    assert kept.source == ResponseSource.IMPORT and kept.submission_id == "a1" and kept.follow_up == round_one
    assert FollowUp.objects.get(pk=round_one.pk).status == FollowUpStatus.DONE
    assert "_validation_status" not in result["extra_columns"]  # KoBo's own columns are known

    with django_capture_on_commit_callbacks(execute=True):
        again = _import(world, _kobo_csv([_row(case, "a1")]))
    again.refresh_from_db()
    assert "already imported" in again.outcome and Response.objects.count() == 1

    # The whole file again: the repeat is still the file's own, not a second "already imported".
    with django_capture_on_commit_callbacks(execute=True):
        whole = _import(world, content)
    whole.refresh_from_db()
    result = whole.result or {}
    assert (result["rows"], result["imported"], result["duplicates"], result["failed"]) == (5, 0, 1, 4)
    repeat = next(p["message"] for p in result["problems"] if p["row"] == 6)
    assert repeat == "The same submission is on row 2 of this file: it is imported once."


def test_an_answer_is_dated_by_the_interview_not_by_its_upload(
    world, setting, django_capture_on_commit_callbacks
):
    """Answers took the day of `_submission_time`, when the phone found a connection (weeks
    later when collecting offline), and could land in the wrong round or none."""
    case = setting
    today = timezone.localdate()
    round_one = FollowUp.objects.get(case=case, round=1)
    FollowUp.objects.filter(pk=round_one.pk).update(
        window_start=today - dt.timedelta(days=40), window_end=today - dt.timedelta(days=10)
    )
    interviewed = today - dt.timedelta(days=20)
    type(case).objects.filter(pk=case.pk).update(arrival_date=today - dt.timedelta(days=100))
    tomorrow = today + dt.timedelta(days=1)
    content = _kobo_csv(
        [
            _row(
                case, "d1", end=f"{interviewed}T10:15:32.000+01:00", start=f"{interviewed}T09:58:01.000+01:00"
            ),
            _row(case, "d2", end="last Tuesday"),
            _row(case, "d3", end=f"{tomorrow}T10:00:00.000+01:00"),
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = _import(world, content)
    job.refresh_from_db()
    result = job.result or {}
    assert result.get("imported") == 1, result["problems"]
    kept = Response.objects.get()
    assert kept.collected_on == interviewed and kept.follow_up == round_one  # in its window
    assert {(p["row"], p["field"]) for p in result["problems"]} == {(3, "end"), (4, "end")}
    assert "The date cannot be in the future." in {p["message"] for p in result["problems"]}


def test_an_odk_central_export_reads_the_same(world, setting, django_capture_on_commit_callbacks):
    case = setting
    base = {k: (" ".join(v) if isinstance(v, list) else str(v)) for k, v in answers().items()}
    header = ["SubmissionDate", "case_reference", *base, "meta-instanceID", "KEY", "SubmitterID", "Status"]
    now = timezone.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    row = [now, case.reference, *base.values(), "uuid:b1", "uuid:b1", "5", ""]
    content = ("\n".join(",".join(cells) for cells in (header, row)) + "\n").encode()
    with django_capture_on_commit_callbacks(execute=True):
        job = _import(world, content, "form.csv")
    job.refresh_from_db()
    assert (job.result or {})["imported"] == 1, job.result
    assert Response.objects.get().submission_id == "b1"


def test_an_unreadable_file_fails_the_job_saying_why(world, setting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _import(world, "Référence;réponse\r\n".encode("cp1252"))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.outcome and not Response.objects.exists()


def test_a_file_of_another_instruments_form_fails_at_once(world, setting, django_capture_on_commit_callbacks):
    """Imported as the satisfaction survey, a sustainability export "succeeded" with every
    row refused and all its question columns listed as ignored."""
    from remis.monitoring.responses import current_instrument as current

    satisfaction = current("assistance-satisfaction")
    assert satisfaction is not None
    content = _kobo_csv([_row(setting, "s1")])
    with django_capture_on_commit_callbacks(execute=True):
        kept = upload_submissions(world.bob, satisfaction, SimpleUploadedFile("export.csv", content))
    assert kept.job_id is not None
    job = Job.objects.get(pk=kept.job_id)
    assert job.status == JobStatus.FAILED and "choose the instrument whose form collected it" in job.outcome
    assert not Response.objects.exists()


def test_only_those_who_record_monitoring_import(world, setting):
    with pytest.raises(PermissionDenied):
        upload_submissions(
            world.alice,
            _rss(),
            SimpleUploadedFile("x.csv", b"a;b\r\n"),
        )


def test_the_imports_page_uploads_and_reports_to_its_uploader_only(
    client, world, setting, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from remis.monitoring.models import SubmissionUpload

    case = setting
    client.force_login(world.bob)
    instrument = _rss()
    content = _kobo_csv([_row(case, "c1", case_reference="GIN-2026-999999")])
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(
            reverse("import_list"),
            {"instrument": instrument.pk, "file": SimpleUploadedFile("kobo.csv", content)},
            follow=True,
        )
    assert "The file is uploaded" in posted.text and "kobo.csv" in posted.text
    upload = SubmissionUpload.objects.get()
    report = client.get(reverse("import_detail", args=[upload.uuid])).text
    assert (
        "Rows refused" in report
        and "case_reference" in report
        and "No case you can see has this reference." in report
    )
    empty = client.post(
        reverse("import_list"), {"instrument": instrument.pk, "file": SimpleUploadedFile("e.csv", b"")}
    )
    assert empty.status_code == 200 and "error" in empty.text and SubmissionUpload.objects.count() == 1
    client.force_login(world.admin)
    assert client.get(reverse("import_detail", args=[upload.uuid])).status_code == 404
    client.force_login(world.alice)
    assert client.get(reverse("import_list")).status_code == 403


@pytest.mark.parametrize("parallel", [True, False], ids=["checked-in-a-second-process", "in-turn"])
def test_chunks_checked_ahead_of_the_saves_end_as_one_by_one(
    parallel, shipped_monitoring, world, settings, monkeypatch
):
    """Large files are checked a chunk ahead in a second process while the previous chunk is
    saved (lib/ahead.py): what a chunk took (a round, a submission) is not saved yet when the
    next is checked. Chunks of two rows here (the first of one): the round taken in chunk
    one and the submission seen in chunk one are still known in chunks two and three. The
    first two chunks are saved in one transaction, the third in another."""
    from remis.lib import ahead
    from remis.monitoring import imports

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(imports, "CHUNK", 2)
    monkeypatch.setattr(imports, "COMMIT_ROWS", 3)  # chunks one and two, then three
    monkeypatch.setattr(imports, "PARALLEL_FROM_BYTES", 0 if parallel else 10**9)
    monkeypatch.setattr(ahead.os, "cpu_count", lambda: 2)
    forked: list[bool] = []
    real = imports.made_ahead

    def spy(produce, *, parallel: bool = True):
        forked.append(parallel and ahead.may_fork())
        return real(produce, parallel=parallel)

    monkeypatch.setattr(imports, "made_ahead", spy)
    case = returned_case(world)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    today = timezone.localdate()
    first, second = FollowUp.objects.filter(case=case, round__in=[1, 2]).order_by("round")
    FollowUp.objects.filter(pk__in=[first.pk, second.pk]).update(window_start=today - dt.timedelta(days=5))
    content = _kobo_csv(
        [
            _row(case, "a1"),  # round 1
            _row(case, "a2", income_covers_needs="whenever"),  # refused: takes no round
            _row(case, "a3"),  # round 2: round 1 was taken by chunk one, maybe not saved yet
            _row(case, "a1"),  # seen in chunk one
            _row(case, "a4"),  # both rounds of that day answered: a second interview, refused
        ]
    )
    job = _import(world, content)
    job.refresh_from_db()
    assert forked == [parallel]
    assert job.status == JobStatus.SUCCEEDED, job.outcome
    result = job.result or {}
    assert (result["rows"], result["imported"], result["duplicates"], result["failed"]) == (5, 2, 0, 3)
    assert [(p["row"], p["field"]) for p in result["problems"]] == [
        (3, "income_covers_needs"),
        (5, "_uuid"),
        (6, "_submission_time"),
    ]
    assert result["problems"][2]["message"] == "Round 1 has its answers already: a round is answered once."
    assert (result["outside_rounds"], result["outside_count"]) == ([], 0)
    kept = dict(Response.objects.values_list("submission_id", "follow_up_id"))
    assert kept == {"a1": first.pk, "a3": second.pk}
    assert set(FollowUp.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
        FollowUpStatus.DONE
    }
    from remis.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="monitoring.response").count() == 2
    assert job.done == job.total == 5


def test_the_report_read_in_another_language_says_what_stays_in_the_first(
    client, world, setting, django_capture_on_commit_callbacks
):
    """Run in French, the summary read in Arabic was French: it is said again in the reader's
    language; the rows' refusals stay as written, and the page says in which language."""
    from django.urls import reverse

    from remis.accounts.actions import set_language
    from remis.monitoring.models import SubmissionUpload

    case = setting
    set_language(world.bob, "fr")  # the worker runs a job in its owner's language
    with django_capture_on_commit_callbacks(execute=True):
        _import(world, _kobo_csv([_row(case, "d1", case_reference="GIN-2026-999999")]))
    upload = SubmissionUpload.objects.get()
    client.force_login(world.bob)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    report = client.get(reverse("import_detail", args=[upload.uuid])).text
    assert "Of 1 row read: responses imported 0, already imported before 0, refused 1." in report
    assert "These messages were written when the work ran, in French." in report
    listed = client.get(reverse("import_list")).text
    assert "Of 1 row read" in listed and "Reintegration sustainability follow-up · v1" in listed
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    report = client.get(reverse("import_detail", args=[upload.uuid])).text
    assert "These messages were written" not in report and "Ces messages" not in report
    listed = client.get(reverse("import_list")).text
    assert "Suivi de la durabilité de la réintégration · v1" in listed
    assert '<option value="" selected>—</option>' in listed, "the instrument is chosen, not preset"


def test_the_report_names_rows_outside_any_round_and_downloads_as_csv(
    client, world, setting, django_capture_on_commit_callbacks
):
    """A submission whose interview day is in no round's window is the case's answers, and
    its round stays due: the report says which rows, and the refusals and those rows can be
    downloaded to correct the file by (the page only showed them)."""
    import csv
    import io

    from django.urls import reverse

    from remis.monitoring.models import SubmissionUpload

    case = setting
    today = timezone.localdate().isoformat()  # the case arrived today: its rounds open in months
    content = _kobo_csv(
        [
            _row(case, "o1", end=f"{today}T10:00:00.000+01:00"),
            _row(case, "o2", income_covers_needs="=HYPERLINK(1)"),
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        _import(world, content)
    upload = SubmissionUpload.objects.get()
    client.force_login(world.bob)
    page = client.get(reverse("import_detail", args=[upload.uuid])).text
    assert "1 response was imported as the case's answers outside any follow-up round" in page
    assert "Rows: 2</p>" in page
    link = reverse("import_report", args=[upload.uuid])
    assert link in page
    download = client.get(link)
    assert download["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert lines[0] == ["Row", "Column", "Value", "Submission ID", "Problem"]
    assert [line[:2] for line in lines[1:]] == [["2", ""], ["3", "income_covers_needs"]]
    assert "outside any follow-up round" in lines[1][4]
    # The refused row's value and its submission, to find it in KoBo (the report had neither).
    assert lines[2][2] == "'=HYPERLINK(1)" and lines[2][3]  # neutralised for spreadsheets
    assert FollowUp.objects.get(case=case, round=1).status == FollowUpStatus.SCHEDULED
    client.force_login(world.carol)
    assert client.get(link).status_code == 404  # another person's report quotes rows about returnees


def test_a_submission_time_rewritten_by_a_spreadsheet_does_not_refuse_a_row_dated_by_its_end(
    world, setting, django_capture_on_commit_callbacks
):
    """A KoBo export saved again from Excel has "23/11/2026 10:05" as `_submission_time`:
    every row was refused for a column the day is not read from."""
    case = setting
    today = timezone.localdate()
    FollowUp.objects.filter(case=case, round=1).update(window_start=today - dt.timedelta(days=5))
    local = today.strftime("%d/%m/%Y") + " 10:05"
    content = _kobo_csv(
        [
            _row(case, "e1", end=f"{today}T10:00:00.000+00:00", _submission_time=local),
            _row(case, "e2", _submission_time=local),  # no end nor start: the time is needed
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = _import(world, content)
    job.refresh_from_db()
    result = job.result or {}
    assert result["imported"] == 1, result["problems"]
    assert {(p["row"], p["field"]) for p in result["problems"]} == {(3, "_submission_time")}


def test_a_submission_corrected_after_its_import_is_reported_not_silently_dropped(
    world, setting, django_capture_on_commit_callbacks
):
    case = setting
    FollowUp.objects.filter(case=case, round=1).update(
        window_start=timezone.localdate() - dt.timedelta(days=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        _import(world, _kobo_csv([_row(case, "c1", income_covers_needs="never")]))
    same = _row(case, "c1", income_covers_needs="never", debt_months="0.0")  # "0" rewritten: no change
    corrected = _row(case, "c1", income_covers_needs="always")
    for row, said in ((same, False), (corrected, True)):
        with django_capture_on_commit_callbacks(execute=True):
            job = _import(world, _kobo_csv([row]))
        job.refresh_from_db()
        result = job.result or {}
        assert result["duplicates"] == 1 and Response.objects.count() == 1
        messages = [p["message"] for p in result["problems"]]
        assert any("changed since" in m for m in messages) is said, messages
    # Not refused: the page lists it apart from refusals (it was under "Rows refused").
    from remis.monitoring.imports import problem_groups

    assert [(note, [p["row"] for p in rows]) for note, rows in problem_groups(result)] == [(True, [2])]
    assert result["problems"][0]["submission"] == "c1"
    assert Response.objects.get().answers["income_covers_needs"] == "never"
    # Its case corrected in the tool: said, naming both (it read "already imported").
    moved = _row(case, "c1", income_covers_needs="never") | {"case_reference": "GIN-2026-999999"}
    # Corrected in REMIS since: the file's answers differ, but nothing changed in the tool.
    Response.objects.update(corrected_at=timezone.now())
    for row, expected in ((moved, f"Imported before for case {case.reference}"), (corrected, None)):
        with django_capture_on_commit_callbacks(execute=True):
            job = _import(world, _kobo_csv([row]))
        job.refresh_from_db()
        messages = [p["message"] for p in (job.result or {})["problems"]]
        if expected is None:
            assert messages == [], messages
        else:
            assert any(m.startswith(expected) and "GIN-2026-999999" in m for m in messages), messages
    assert Response.objects.get().case == case


def test_a_row_without_consent_says_its_answers_problems_too(
    world, setting, django_capture_on_commit_callbacks
):
    """Refused for the consent alone, the row came back with three more errors once the
    consent was recorded."""
    from remis.cases import actions as cases

    case = setting
    cases.record_consent(
        world.bob, case, purpose="follow_up_contact", given=False, given_on=timezone.localdate()
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = _import(world, _kobo_csv([_row(case, "f1", income_covers_needs="whenever")]))
    job.refresh_from_db()
    fields = {p["field"] for p in (job.result or {})["problems"]}
    # The consent is the case's: the report named a column "consent" that no file has.
    assert fields == {"case_reference", "income_covers_needs"}
    values = {p["field"]: p["value"] for p in (job.result or {})["problems"]}
    assert values == {"case_reference": case.reference, "income_covers_needs": "whenever"}


def test_a_kobo_export_with_labels_as_headers_is_told_to_export_names(
    world, setting, django_capture_on_commit_callbacks
):
    """KoBo's default export writes labels as headers; only the form's own fields (which have
    no label) matched, and the user who chose the right instrument was told to choose another."""
    from remis.monitoring.responses import definition_of

    definition = definition_of(_rss())
    labels = {q.name: q.label.fr for q in definition.questions}
    content = _kobo_csv([_row(setting, "l1")]).decode()
    header, rest = content.split("\r\n", 1)
    relabelled = ";".join(
        '"' + labels.get(cell.strip('"'), cell.strip('"')).replace('"', '""') + '"'
        for cell in header.split(";")
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = _import(world, (relabelled + "\r\n" + rest).encode())
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "XML values and headers" in job.outcome


def test_numbers_saved_again_by_a_french_or_arabic_spreadsheet_are_read(
    world, setting, django_capture_on_commit_callbacks
):
    """ "2,5" months of debt and "٢" children were refused ("Enter a number.") where the
    form took them."""
    case = setting
    round_one = FollowUp.objects.get(case=case, round=1)
    FollowUp.objects.filter(pk=round_one.pk).update(window_start=timezone.localdate() - dt.timedelta(days=5))
    content = _kobo_csv([_row(case, "n1", debt_months="2,5", school_age_children="٢")])
    with django_capture_on_commit_callbacks(execute=True):
        job = _import(world, content)
    job.refresh_from_db()
    assert (job.result or {})["imported"] == 1, job.result
    kept = Response.objects.get()
    assert kept.answers["debt_months"] == "2.5" and kept.answers["school_age_children"] == 2


def _satisfaction_csv(rows: list[dict[str, str]]) -> bytes:
    """A KoBoToolbox export of the satisfaction form REMIS exports: the assistance asked
    about is a select_one of the assistance types, beside the case reference."""
    header = ["start", "end", "case_reference", "assistance_type", "instrument_code", "instrument_version"]
    header += ["on_time", "fits_needs", "good_quality", "_id", "_uuid", "_submission_time"]
    base = {"instrument_code": "assistance-satisfaction", "instrument_version": "1"}
    base |= {"on_time": "agree", "fits_needs": "agree", "good_quality": "agree"}
    lines = [header] + [[{**base, **row}.get(name, "") for name in header] for row in rows]
    return ("\r\n".join(";".join(f'"{c}"' for c in line) for line in lines) + "\r\n").encode()


def test_a_satisfaction_export_is_matched_to_the_item_of_the_type_it_names(
    world, settings, django_capture_on_commit_callbacks
):
    """The satisfaction form could not be imported at all: no column said which item of the
    plan the answers were about, and every row was refused."""
    from remis.assistance.tests.factories import approved_plan, case_at_plan, first_item, make_approvers

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        case = case_at_plan(world)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    item = first_item(approved_plan(world, case, make_approvers(world)[0]))
    assert item.kind.code == "business_setup"
    day = f"{timezone.localdate().isoformat()}T10:00:00"
    common = {"case_reference": case.reference, "_submission_time": day}
    content = _satisfaction_csv(
        [
            {**common, "_uuid": "s1", "assistance_type": "business_setup"},
            {**common, "_uuid": "s2", "assistance_type": ""},
            {**common, "_uuid": "s3", "assistance_type": "vocational_training"},
            {**common, "_uuid": "s4", "assistance_type": "teleportation"},
        ]
    )
    satisfaction = current_instrument("assistance-satisfaction")
    assert satisfaction is not None
    with django_capture_on_commit_callbacks(execute=True):
        kept = upload_submissions(world.bob, satisfaction, SimpleUploadedFile("export.csv", content))
    assert kept.job_id is not None
    job = Job.objects.get(pk=kept.job_id)
    assert job.status == JobStatus.SUCCEEDED, job.outcome
    result = job.result or {}
    assert (result["imported"], result["failed"], result["outside_count"]) == (1, 3, 0)
    assert {(p["row"], p["field"]) for p in result["problems"]} == {
        (3, "assistance_type"),
        (4, "assistance_type"),
        (5, "assistance_type"),
    }
    messages = " ".join(p["message"] for p in result["problems"])
    assert "no item of this type (vocational_training)" in messages
    assert "teleportation is not one of the form's assistance types" in messages
    response = Response.objects.get(instrument=satisfaction)
    assert response.item_key == item.key and response.follow_up is None and response.case == case
    assert response.source == ResponseSource.IMPORT and response.band == "satisfied"


def test_a_satisfaction_row_naming_a_type_the_plan_holds_twice_is_sent_to_the_case_page():
    import uuid

    from remis.monitoring.imports import _item_of

    one, two = uuid.uuid4(), uuid.uuid4()
    assert _item_of({"cash_grant": [one]}, "cash_grant") == (one, None)
    key, refusal = _item_of({"cash_grant": [one, two]}, "cash_grant")
    assert key is None and refusal is not None and "2 items of this type" in refusal
    assert "on the case's page" in refusal


def test_a_second_interview_for_a_round_answered_before_is_refused(
    world, setting, django_capture_on_commit_callbacks
):
    """A KoBo file with a second submission for a round an earlier import answered: it was
    kept as the case's answers outside any round, said "the rounds stay due", and became
    the case's latest score."""
    case = setting
    FollowUp.objects.filter(case=case, round=1).update(
        window_start=timezone.localdate() - dt.timedelta(days=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        _import(world, _kobo_csv([_row(case, "first")]))
    with django_capture_on_commit_callbacks(execute=True):
        job = _import(world, _kobo_csv([_row(case, "second", income_covers_needs="never")]), "again.csv")
    job.refresh_from_db()
    result = job.result or {}
    assert job.status == JobStatus.SUCCEEDED, (job.outcome, result)
    assert (result["imported"], result["failed"], result["outside_count"]) == (0, 1, 0)
    assert result["problems"][0]["message"] == "Round 1 has its answers already: a round is answered once."
    assert list(Response.objects.values_list("submission_id", flat=True)) == ["first"]


def test_the_queries_of_an_import_do_not_grow_with_its_rows(
    world, setting, django_capture_on_commit_callbacks
):
    """Answers for 3 cases, then for 9, each case arrived on its own day: about the same
    number of queries. A lookup per row (its case, its round, its schedule, its consent)
    made an import of thousands of rows hours long."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    today = timezone.localdate()

    def answered(count: int, first: int) -> tuple[bytes, int]:
        rows = []
        for n in range(count):
            with django_capture_on_commit_callbacks(execute=True):
                case = returned_case(world)
            cases.record_consent(world.alice, case, purpose="follow_up_contact", given=True, given_on=today)
            FollowUp.objects.filter(case=case, round=1).update(window_start=today - dt.timedelta(days=5 + n))
            rows.append(_row(case, f"q{first + n}"))
        return _kobo_csv(rows), count

    counted = []
    for count, first in [(3, 0), (9, 100)]:
        content, expected = answered(count, first)
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            job = _import(world, content)
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED and (job.result or {})["imported"] == expected, job.result
        counted.append(len(queries.captured_queries))
    assert counted[1] <= counted[0] + 3, counted


def test_the_uploader_deletes_an_upload_its_file_and_report_and_the_responses_stay(
    client, world, setting, django_capture_on_commit_callbacks
):
    """Uploads could not be deleted: the export (returnees' answers, free-text comments) was
    kept until an erasure, and a mistaken or failed upload stayed in the list for good."""
    from django.urls import reverse

    from remis.audit.models import AuditEntry
    from remis.monitoring.models import SubmissionUpload

    case = setting
    with django_capture_on_commit_callbacks(execute=True):
        job = _import(world, _kobo_csv([_row(case, "d1"), _row(case, "d2", income_covers_needs="whenever")]))
    upload = SubmissionUpload.objects.get()
    stored = upload.file.name
    assert upload.file.storage.exists(stored)
    client.force_login(world.carol)  # not the uploader: not found
    assert client.post(reverse("import_delete", args=[upload.uuid])).status_code == 404
    client.force_login(world.bob)
    page = client.get(reverse("import_detail", args=[upload.uuid])).text
    assert reverse("import_delete", args=[upload.uuid]) in page and "data-confirm" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import_delete", args=[upload.uuid]))
    assert response.status_code == 302 and not SubmissionUpload.objects.exists()
    assert not upload.file.storage.exists(stored)
    assert Response.objects.count() == 1  # what it imported stays
    job.refresh_from_db()
    assert not (job.result or {}).get("problems")  # the refused row quoted the file
    assert AuditEntry.objects.filter(action="monitoring.upload_delete").count() == 1
