"""ODK Central exports (CSV or its zip download), with and without group paths and split
select-multiple columns, read to the same answers."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from remis.interop.submissions import ExportTool, read_submissions
from remis.interop.tables import TableFormat
from remis.interop.tests.exports import (
    ANSWERS,
    QUESTIONS,
    UUIDS,
    central_csv,
    central_header,
    central_rows,
    central_zip,
)


def read(data: bytes, filename: str = "monitoring.csv", **kwargs):
    with read_submissions(io.BytesIO(data), filename, questions=QUESTIONS, **kwargs) as export:
        return export, list(export.rows)


def test_default_central_csv_gives_answers_key_and_submission_date():
    export, rows = read(central_csv(central_header(), central_rows()))

    assert export.tool is ExportTool.ODK_CENTRAL
    assert export.table.delimiter == ","
    assert export.table.line_ending == "\n"
    assert export.plan.group_separator == "-"
    assert [row.answers for row in rows] == ANSWERS
    assert export.id_column == "KEY"
    assert [row.submission_id for row in rows] == UUIDS
    assert rows[2].submitted_at == datetime(2026, 11, 4, 8, 0, 1, tzinfo=UTC)
    assert rows[0].form_version == "2026110101"
    assert export.extra_columns == ["start", "end"]
    assert {"SubmitterName", "ReviewState", "DeviceID"} <= set(export.metadata_columns)
    # The form's own instance ID is read as a fallback when a row's KEY is empty.
    assert [name for _index, name in export.plan.ids] == ["KEY", "meta-instanceID"]


def test_central_without_group_names_reads_the_same():
    export, rows = read(central_csv(central_header(group_paths=False), central_rows()))

    assert [row.answers for row in rows] == ANSWERS
    assert export.plan.group_separator is None
    assert "instanceID" in [name for _index, name in export.plan.ids]


def test_central_split_select_multiples_agree_with_the_single_column():
    data = central_csv(central_header(split=True), central_rows(split=True))

    export, rows = read(data)

    assert [row.answers["needs"] for row in rows] == ["food water", "", "shelter"]
    assert [choice for _index, choice in export.plan.split["needs"]] == ["food", "water", "shelter"]
    assert all(row.problems == () for row in rows)


def test_central_zip_download_is_read_from_its_main_csv():
    data = central_zip("monitoring_v3", central_csv(central_header(), central_rows()))

    export, rows = read(data, "monitoring_v3.zip")

    assert export.format is TableFormat.ZIPPED_CSV
    assert export.table.sheet == "monitoring_v3.csv"
    assert [row.answers for row in rows] == ANSWERS


def test_central_csv_with_crlf_and_every_field_quoted_reads_the_same():
    plain = central_csv(central_header(), central_rows()).decode()
    lines = [",".join(f'"{cell}"' for cell in line.split(",")) for line in plain.splitlines()]
    data = ("\r\n".join(lines) + "\r\n").encode()

    export, rows = read(data)

    assert export.table.line_ending == "\r\n"
    assert [row.answers for row in rows] == ANSWERS


@pytest.mark.parametrize("stamp", ["2026-11-04T08:00:01.000Z", "2026-11-04T10:00:01+02:00"])
def test_submission_dates_with_a_zone_are_converted_to_utc(stamp):
    rows = central_rows()
    rows[2][0] = stamp

    _export, read_rows = read(central_csv(central_header(), rows))

    assert read_rows[2].submitted_at == datetime(2026, 11, 4, 8, 0, 1, tzinfo=UTC)


def test_question_names_alone_are_enough_for_questions_that_are_not_select_multiple():
    data = central_csv(central_header(), central_rows())

    with read_submissions(io.BytesIO(data), "m.csv", questions=["case_ref", "distress"]) as export:
        rows = list(export.rows)

    assert rows[0].answers == {"case_ref": "RET-2026-0001", "distress": "never"}
    assert "support-needs" in export.extra_columns
