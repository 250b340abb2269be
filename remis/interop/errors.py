"""The one error a file reader raises: the file as a whole cannot be read as a table (or
as submissions). It names the row and column (or line and byte) at fault, so an import
report can say where to look. Problems of one row that leave the others readable are not
errors: they are `RowProblem` records beside the row (`remis.interop.submissions`)."""

from __future__ import annotations

from enum import StrEnum

from remis.lib.errors import ValidationFailed


class ReadErrorCode(StrEnum):
    EMPTY = "empty"  # no bytes, or no header row
    NOT_UTF8 = "not_utf8"  # a byte sequence that is not UTF-8 (Latin-1 / Windows-1252 exports)
    OLD_EXCEL = "old_excel"  # an Excel 97-2003 .xls (OLE2) file
    NOT_A_TABLE = "not_a_table"  # binary content that is neither text nor a workbook
    BAD_WORKBOOK = "bad_workbook"  # a zip that openpyxl cannot read as XLSX, or a damaged one
    BAD_CSV = "bad_csv"  # the csv module refused a record (field too large, stray quote in strict mode)
    NO_SHEET = "no_sheet"  # the named sheet (or zip member) is not there
    DUPLICATE_COLUMN = "duplicate_column"  # two columns with one name, or for one question
    AMBIGUOUS_COLUMN = "ambiguous_column"  # a header that could be more than one question
    NO_QUESTION = "no_question"  # no column matches a question of the instrument
    NO_SUBMISSION_ID = "no_submission_id"  # no column carries a submission identifier
    UNCALCULATED_FORMULA = "uncalculated_formula"  # a formula cell with no saved result


class UnreadableFile(ValidationFailed):
    """The file cannot be read. `row` is the 1-based row as a spreadsheet shows it (the
    header is row 1); `line` and `byte_offset` locate an encoding error in the raw file."""

    def __init__(
        self,
        message: str,
        *,
        code: ReadErrorCode,
        row: int | None = None,
        column: str | None = None,
        line: int | None = None,
        byte_offset: int | None = None,
    ) -> None:
        super().__init__(message, column)
        self.read_code = code
        self.row = row
        self.column = column
        self.line = line
        self.byte_offset = byte_offset
