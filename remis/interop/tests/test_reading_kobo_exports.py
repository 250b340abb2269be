"""KoBoToolbox exports in their default settings and the common variants read the same."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from remis.interop.errors import ReadErrorCode, UnreadableFile
from remis.interop.submissions import ExportTool, RowProblemCode, read_submissions
from remis.interop.tables import TableFormat
from remis.interop.tests.exports import (
    ANSWERS,
    QUESTIONS,
    UUIDS,
    kobo_csv,
    kobo_header,
    kobo_rows,
    kobo_xlsx,
)


def read(data: bytes, filename: str = "export.csv", **kwargs):
    with read_submissions(io.BytesIO(data), filename, questions=QUESTIONS, **kwargs) as export:
        return export, list(export.rows)


def test_default_kobo_csv_gives_answers_ids_and_times():
    export, rows = read(kobo_csv(kobo_header(), kobo_rows()))

    assert export.tool is ExportTool.KOBO
    assert export.format is TableFormat.CSV
    assert export.table.delimiter == ";"
    assert export.table.line_ending == "\r\n"
    assert [row.answers for row in rows] == ANSWERS
    assert [row.row for row in rows] == [2, 3, 4]
    # meta/rootUuid ("uuid:…") is preferred to _uuid and normalised to the same value.
    assert export.id_column == "meta/rootUuid"
    assert [row.submission_id for row in rows] == UUIDS
    assert rows[0].submitted_at == datetime(2026, 11, 2, 9, 15, tzinfo=UTC)
    assert rows[0].form_version == "vGqPZbm8nV4TkK2rW7wDxA"
    assert all(row.problems == () for row in rows)


def test_kobo_tool_columns_are_recognised_and_unknown_ones_named():
    export, _rows = read(kobo_csv(kobo_header(), kobo_rows()))

    assert export.extra_columns == ["start", "end"]
    assert "_validation_status" in export.metadata_columns
    assert "_index" in export.metadata_columns
    assert export.missing_questions == []


@pytest.mark.parametrize("group_sep", ["/", "-"])
def test_group_paths_in_headers_are_stripped(group_sep):
    export, rows = read(kobo_csv(kobo_header(group_sep=group_sep), kobo_rows()))

    assert [row.answers for row in rows] == ANSWERS
    assert export.plan.group_separator == group_sep


@pytest.mark.parametrize("group_sep", [None, "/", "-"])
def test_select_multiple_as_choice_columns_only_is_joined_back(group_sep):
    data = kobo_csv(
        kobo_header(group_sep=group_sep, multiple_select="details"), kobo_rows(multiple_select="details")
    )

    _export, rows = read(data)

    assert [row.answers["needs"] for row in rows] == ["food water", "", "shelter"]
    assert all(row.problems == () for row in rows)


def test_select_multiple_as_single_column_only():
    data = kobo_csv(kobo_header(multiple_select="summary"), kobo_rows(multiple_select="summary"))

    _export, rows = read(data)

    assert [row.answers["needs"] for row in rows] == ["food water", "", "shelter"]


def test_kobo_csv_resaved_by_excel_with_commas_and_bom_reads_the_same():
    data = b"\xef\xbb\xbf" + kobo_csv(kobo_header(), kobo_rows(), sep=",")

    export, rows = read(data)

    assert export.table.encoding == "utf-8-sig"
    assert export.table.delimiter == ","
    assert [row.answers for row in rows] == ANSWERS


def test_kobo_xlsx_with_typed_cells_reads_like_its_csv():
    data = kobo_xlsx(kobo_header(), kobo_rows(typed=True))

    export, rows = read(data, "export.xlsx")

    assert export.format is TableFormat.XLSX
    assert export.table.sheet == "Monitoring"
    assert [row.answers for row in rows] == ANSWERS
    assert [row.submission_id for row in rows] == UUIDS
    # _submission_time is a date cell without zone: read as UTC.
    assert rows[1].submitted_at == datetime(2026, 11, 3, 17, 40, 12, tzinfo=UTC)
    assert all(row.problems == () for row in rows)


def test_a_named_sheet_is_read_and_a_missing_one_is_refused_with_the_names():
    data = kobo_xlsx(["visit_note", "_uuid"], [["fine", UUIDS[0]]])

    with pytest.raises(UnreadableFile) as refused:
        read(data, "export.xlsx", sheet="Visits")

    assert refused.value.read_code is ReadErrorCode.NO_SHEET
    assert "Monitoring, repeat_visits" in refused.value.message


def test_older_rows_without_root_uuid_fall_back_to_uuid():
    rows = kobo_rows()
    rows[0][-2] = ""  # meta/rootUuid, absent before KoBo wrote it

    _export, read_rows = read(kobo_csv(kobo_header(), rows))

    assert read_rows[0].submission_id == UUIDS[0]


def test_hxl_hashtag_row_under_the_header_is_not_a_submission():
    header = kobo_header()
    tags = ["" for _ in header]
    tags[header.index("case_ref")] = "#beneficiary+id"
    tags[header.index("income")] = "#indicator +income"

    export, rows = read(kobo_csv(header, [tags, *kobo_rows()]))

    assert len(rows) == 3
    assert export.table.hxl_tags is not None
    assert "#beneficiary+id" in export.table.hxl_tags
    assert rows[0].row == 3


def test_an_export_with_labels_as_headers_is_refused_with_a_hint():
    header = ["Case reference", "Is your income enough?", "_uuid", "_submission_time"]

    with pytest.raises(UnreadableFile) as refused:
        read(kobo_csv(header, [["RET-1", "Yes", UUIDS[0], "2026-11-02T09:15:00"]]))

    assert refused.value.read_code is ReadErrorCode.NO_QUESTION
    assert "XML values and headers" in refused.value.message


def test_choice_columns_that_disagree_with_the_answer_are_reported_on_the_row():
    rows = kobo_rows()
    header = kobo_header()
    rows[0][header.index("needs/shelter")] = "1"  # "food water" in the single column

    _export, read_rows = read(kobo_csv(header, rows))

    (problem,) = read_rows[0].problems
    assert problem.code is RowProblemCode.CHOICES_DISAGREE
    assert problem.row == 2
    assert read_rows[1].problems == ()


def test_a_choice_flag_that_is_not_1_or_0_is_reported_naming_the_column():
    header = kobo_header(multiple_select="details")
    rows = kobo_rows(multiple_select="details")
    rows[2][header.index("needs/water")] = "oui"

    _export, read_rows = read(kobo_csv(header, rows))

    (problem,) = read_rows[2].problems
    assert problem.code is RowProblemCode.BAD_CHOICE_FLAG
    assert problem.column == "needs/water"
    assert "Row 4" in problem.message


def test_true_false_choice_flags_are_read():
    header = kobo_header(multiple_select="details")
    rows = kobo_rows(multiple_select="details")
    for row in rows:
        for column, value in enumerate(row):
            if header[column].startswith("needs/") and value:
                row[column] = {"1": "True", "0": "False"}[value]

    _export, read_rows = read(kobo_csv(header, rows))

    assert [row.answers["needs"] for row in read_rows] == ["food water", "", "shelter"]


def test_a_choice_column_for_a_choice_the_instrument_lacks_is_kept_for_validation():
    header = [*kobo_header(multiple_select="details"), "needs/other"]
    rows = [[*row, "1"] for row in kobo_rows(multiple_select="details")]

    export, read_rows = read(kobo_csv(header, rows))

    assert read_rows[0].answers["needs"] == "food water other"
    assert "needs/other" not in export.extra_columns


def test_an_unreadable_submission_time_is_a_row_problem():
    rows = kobo_rows()
    rows[1][kobo_header().index("_submission_time")] = "Nov 3, 2026 5:40:12 PM"

    _export, read_rows = read(kobo_csv(kobo_header(), rows))

    assert read_rows[1].submitted_at is None
    assert read_rows[1].problems[0].code is RowProblemCode.BAD_TIME
    assert read_rows[1].problems[0].column == "_submission_time"
    assert read_rows[0].submitted_at is not None


def test_values_spilling_past_the_last_column_are_reported_and_the_row_kept():
    header = kobo_header()
    rows = kobo_rows()
    rows[0].append("stray;value")
    data = kobo_csv(header, rows).replace(b'"stray;value"', b"stray;value")

    _export, read_rows = read(data)

    (problem,) = read_rows[0].problems
    assert problem.code is RowProblemCode.OVERFLOW
    assert "stray" in problem.message
    assert read_rows[0].answers == ANSWERS[0]
