"""The generic table reader: every CSV dialect and encoding the tools and Excel write reads
to the same header and rows; workbooks and zips are told by content."""

from __future__ import annotations

import io
import itertools
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from remis.interop.errors import ReadErrorCode, UnreadableFile
from remis.interop.tables import TableFormat, TableRow, cell_text, open_table

HEADER = ["case_ref", "note", "needs"]
ROWS = [["RET-1", 'said "fine"; then, left', "food water"], ["RET-2", "two\nlines", ""]]


def encode_csv(delimiter: str, line_ending: str, quote_all: bool, bom: bool) -> bytes:
    def cell(value: str) -> str:
        special = any(c in value for c in (delimiter, '"', "\n", "\r"))
        return '"' + value.replace('"', '""') + '"' if quote_all or special else value

    text = "".join(delimiter.join(cell(v) for v in row) + line_ending for row in [HEADER, *ROWS])
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def read(data: bytes, filename: str = "table.csv", **kwargs):
    with open_table(io.BytesIO(data), filename, **kwargs) as table:
        return table, list(table.rows)


@pytest.mark.parametrize(
    ("delimiter", "line_ending", "quote_all", "bom"),
    list(itertools.product([";", ",", "\t"], ["\r\n", "\n", "\r"], [True, False], [True, False])),
)
def test_every_csv_dialect_reads_to_the_same_rows(delimiter, line_ending, quote_all, bom):
    table, rows = read(encode_csv(delimiter, line_ending, quote_all, bom))

    assert table.format is TableFormat.CSV
    assert table.delimiter == delimiter
    assert table.line_ending == line_ending
    assert table.encoding == ("utf-8-sig" if bom else "utf-8")
    assert table.header == HEADER
    # The quoted line break is kept as written (LF); Excel row numbers count records.
    assert [row.cells for row in rows] == ROWS
    assert [row.number for row in rows] == [2, 3]


def test_excel_sep_line_names_the_delimiter():
    table, rows = read(b"sep=,\r\na;b,c\r\n1;2,3\r\n")

    assert table.delimiter == ","
    assert table.header == ["a;b", "c"]
    assert rows == [TableRow(2, ["1;2", "3"], [])]


def test_excel_unicode_text_utf16_is_read():
    data = "case_ref\tnote\r\nRET-1\tcafé\r\n".encode("utf-16")

    table, rows = read(data)

    assert table.encoding == "utf-16"
    assert rows[0].cells == ["RET-1", "café"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_its_mark_is_read_when_its_header_shows_it(encoding):
    """Refused as "neither a CSV text file nor an Excel workbook": the zero bytes of UTF-16
    looked like a picture's."""
    data = "case_ref;note\r\nRET-1;Conakry, quartier Dixinn – é\r\n".encode(encoding)

    table, rows = read(data)

    assert table.encoding == encoding
    assert table.header == ["case_ref", "note"]
    assert rows[0].cells == ["RET-1", "Conakry, quartier Dixinn – é"]


def test_blank_rows_are_skipped_but_counted_like_a_spreadsheet():
    _table, rows = read(b"a,b\n\n1,2\n,\n3,4\n")

    assert [(row.number, row.cells) for row in rows] == [(3, ["1", "2"]), (5, ["3", "4"])]


def test_short_rows_are_padded_and_spilled_values_kept_apart():
    _table, rows = read(b"a,b,c\n1\n1,2,3,4,\n")

    assert rows == [TableRow(2, ["1", "", ""], []), TableRow(3, ["1", "2", "3"], ["4"])]


def test_a_duplicate_header_is_refused_naming_it():
    with pytest.raises(UnreadableFile) as refused:
        read(b"a,b,a\n1,2,3\n")

    assert refused.value.read_code is ReadErrorCode.DUPLICATE_COLUMN
    assert refused.value.column == "a"


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", b";;;\n"])
def test_empty_files_are_refused(data):
    with pytest.raises(UnreadableFile) as refused:
        read(data)

    assert refused.value.read_code is ReadErrorCode.EMPTY


def test_an_old_excel_file_is_refused_with_a_hint():
    with pytest.raises(UnreadableFile) as refused:
        read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "export.xls")

    assert refused.value.read_code is ReadErrorCode.OLD_EXCEL
    assert ".xlsx" in refused.value.message


def test_a_workbook_saved_by_a_person_is_read_with_typed_cells_as_text():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append(["ref", "count", "ratio", "done", "day", "seen"])
    sheet.append(["RET-1", 3, 0.25, True, date(2026, 11, 30), datetime(2026, 11, 30, 14, 5)])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["RET-2", 4.0, None, False, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    table, rows = read(buffer.getvalue(), "sheet.xlsx")

    assert table.format is TableFormat.XLSX
    assert table.sheet == "Data"
    assert rows[0].cells == ["RET-1", "3", "0.25", "True", "2026-11-30", "2026-11-30T14:05:00"]
    # A date cell reads as its day: Excel and openpyxl give it a midnight ("…T00:00:00").
    assert rows[1] == TableRow(4, ["RET-2", "4", "", "False", "", ""], [])


def test_cell_text_keeps_large_and_fractional_numbers_exact():
    assert cell_text(1e20) == "1e+20"
    assert cell_text(2.5) == "2.5"
    assert cell_text(-0.0) == "0"


def test_a_damaged_workbook_is_refused_as_such():
    workbook = openpyxl.Workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(
                info, content[: len(content) // 2] if info.filename.startswith("xl/") else content
            )

    with pytest.raises(UnreadableFile) as refused:
        read(damaged.getvalue(), "sheet.xlsx")

    assert refused.value.read_code is ReadErrorCode.BAD_WORKBOOK


def test_a_zip_with_several_unrelated_csvs_asks_which_one():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("visits.csv", "a\n1\n")
        archive.writestr("contacts.csv", "b\n2\n")

    with pytest.raises(UnreadableFile) as refused:
        read(buffer.getvalue(), "bundle.zip")
    _table, rows = read(buffer.getvalue(), "bundle.zip", sheet="contacts.csv")

    assert refused.value.read_code is ReadErrorCode.NO_SHEET
    assert "visits.csv" in refused.value.message
    # It asks for a choice, not for a sheet named as the zip ("no sheet named “bundle.zip”").
    assert "bundle.zip" not in refused.value.message and "give the one to read" in refused.value.message
    assert rows[0].cells == ["2"]


def test_the_callers_file_is_left_open_and_a_non_seekable_stream_is_read():
    class Stream(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            chunk = self.data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    upload = io.BytesIO(b"a;b\r\n1;2\r\n")
    with open_table(upload, "t.csv") as table:
        list(table.rows)
    stream = io.BufferedReader(Stream(b"a;b\r\n1;2\r\n"))
    with open_table(stream, "t.csv") as table:
        rows = list(table.rows)

    assert not stream.seekable()
    assert not upload.closed
    assert rows[0].cells == ["1", "2"]


def test_a_field_too_large_for_csv_is_refused_naming_the_row():
    data = b"a,b\n1,2\n3," + b"x" * 200_000 + b"\n"

    with pytest.raises(UnreadableFile) as refused:
        read(data)

    assert refused.value.read_code is ReadErrorCode.BAD_CSV
    assert refused.value.row == 3


def test_django_uploads_in_memory_and_on_disk_are_read_and_left_open():
    from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

    in_memory = SimpleUploadedFile("export.csv", encode_csv(";", "\r\n", True, False))
    on_disk = TemporaryUploadedFile("export.csv", "text/csv", 0, None)
    on_disk.write(encode_csv(",", "\n", False, True))
    on_disk.seek(0)

    for upload in (in_memory, on_disk):
        with open_table(upload, upload.name or "") as table:
            assert [row.cells for row in table.rows] == ROWS
        assert not upload.closed
    on_disk.close()


def test_a_quote_never_closed_is_refused_naming_its_row_not_read_into_one_value():
    """Read leniently, the rest of the file became the end of row 2's address (two more
    people's names and phones in it) and the import said one row was read."""
    data = b'given_name,address\r\nMariama,"Quartier Madina, Conakry\r\nOusmane,Kaloum\r\nFanta,Ratoma\r\n'
    with pytest.raises(UnreadableFile) as refused:
        read(data)
    assert refused.value.read_code is ReadErrorCode.BAD_CSV and refused.value.row == 2
    assert "never closed" in refused.value.message


def test_a_huge_cell_is_refused_in_the_readers_language_not_pythons():
    """ "field larger than field limit (131072)" was shown as it is on a French page."""
    from django.utils import translation

    data = b"given_name,address\r\nMariama," + b"x" * 200_000 + b"\r\n"
    with translation.override("fr"), pytest.raises(UnreadableFile) as refused:
        read(data)
    assert refused.value.row == 2 and "field limit" not in refused.value.message
    assert "131\u202f072" in refused.value.message or "131\xa0072" in refused.value.message


def test_text_after_a_closing_quote_is_refused_naming_its_row():
    with pytest.raises(UnreadableFile) as refused:
        read(b'a,b\n1,2\n3,"x"y\n')
    assert refused.value.row == 3 and "right after the quote" in refused.value.message


def test_a_file_named_xlsx_that_is_no_zip_is_refused_in_the_readers_language():
    """The library's "File is not a zip file" stayed English on French and Arabic pages."""
    from django.utils import translation

    with translation.override("fr"), pytest.raises(UnreadableFile) as refused:
        read(b"PK\x03\x04 not really a zip", "table.xlsx")
    assert refused.value.read_code is ReadErrorCode.BAD_WORKBOOK
    assert "endommagé" in refused.value.message and "zip file" not in refused.value.message


def _with_sheet_xml(workbook: openpyxl.Workbook, change) -> bytes:
    """The workbook saved, its first sheet's XML passed through `change`."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info, change(content) if info.filename == "xl/worksheets/sheet1.xml" else content)
    return out.getvalue()


@pytest.mark.parametrize("result", [b"<v />", b""], ids=["as openpyxl writes it", "without a result"])
def test_a_formula_never_calculated_is_refused_naming_its_cell(result):
    # A workbook written by a script (openpyxl here) stores a formula without its result:
    # read as empty, the amount would vanish without a word.
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ref", "amount"])
    sheet.append(["RET-1", 150])
    sheet.append(["RET-2", "=B2*2"])

    with pytest.raises(UnreadableFile) as refused:
        read(_with_sheet_xml(workbook, lambda xml: xml.replace(b"<v />", result)), "sheet.xlsx")

    assert refused.value.read_code is ReadErrorCode.UNCALCULATED_FORMULA
    assert refused.value.row == 3
    assert "Cell B3 holds a formula" in refused.value.message


def test_a_formula_saved_with_its_result_is_read_as_the_result_even_an_empty_one():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ref", "amount", "note"])
    sheet.append(["RET-1", "=150*2", '=IF(1=1,"","x")'])

    def calculated(xml: bytes) -> bytes:  # as a spreadsheet program saves them: with the result
        xml = xml.replace(b"<f>150*2</f><v />", b"<f>150*2</f><v>300</v>")
        return xml.replace(
            b'<c r="C2"><f>IF(1=1,"","x")</f><v />', b'<c r="C2" t="str"><f>IF(1=1,"","x")</f><v></v>'
        )

    _table, rows = read(_with_sheet_xml(workbook, calculated), "sheet.xlsx")

    assert rows == [TableRow(2, ["RET-1", "300", ""], [])]
