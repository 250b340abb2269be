"""A file that is not UTF-8 is refused before any row is read, naming the line and byte;
nothing is decoded by guess."""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from remis.interop.errors import ReadErrorCode, UnreadableFile
from remis.interop.submissions import read_submissions
from remis.interop.tables import open_table
from remis.interop.tests.exports import QUESTIONS, kobo_csv, kobo_header, kobo_rows


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_a_regional_encoding_is_refused_naming_line_and_byte(encoding):
    data = "case_ref;note\r\nRET-1;fine\r\nRET-2;déjà vu\r\n".encode(encoding)

    with pytest.raises(UnreadableFile) as refused, open_table(io.BytesIO(data), "t.csv"):
        pytest.fail("the file was opened")

    error = refused.value
    assert error.read_code is ReadErrorCode.NOT_UTF8
    assert error.line == 3
    assert error.byte_offset == data.index("é".encode(encoding))
    assert "line 3" in error.message
    assert "E9" in error.message
    # The byte's place in its line, not in the file: "RET-2;d" comes before it.
    assert "byte 8 of the line" in error.message


def test_a_bad_byte_far_into_a_large_file_is_refused_before_the_first_row():
    rows = kobo_rows() * 20_000
    data = bytearray(kobo_csv(kobo_header(), rows))
    position = len(data) - 10
    data[position] = 0x92  # Windows-1252's right single quote
    line = data.count(b"\n", 0, position) + 1

    with (
        pytest.raises(UnreadableFile) as refused,
        read_submissions(io.BytesIO(bytes(data)), "export.csv", questions=QUESTIONS),
    ):
        pytest.fail("rows were offered")

    assert refused.value.line == line == 60_001
    assert refused.value.byte_offset == position
    in_line = position - bytes(data).rindex(b"\n", 0, position)
    assert f"byte {in_line} of the line" in refused.value.message


def test_a_file_cut_in_the_middle_of_a_character_is_refused():
    data = "a,b\n1,é".encode()[:-1]

    with pytest.raises(UnreadableFile) as refused, open_table(io.BytesIO(data), "t.csv"):
        pass

    assert refused.value.read_code is ReadErrorCode.NOT_UTF8


def test_binary_content_under_a_csv_name_is_refused():
    data = b"%PDF-1.7\n\x00\x00\x01binary"

    with pytest.raises(UnreadableFile) as refused, open_table(io.BytesIO(data), "t.csv"):
        pass

    assert refused.value.read_code is ReadErrorCode.NOT_A_TABLE


def test_a_picture_renamed_csv_is_not_called_latin_1():
    """A PNG got the advice to save it again as "CSV UTF-8"."""
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"

    with pytest.raises(UnreadableFile) as refused, open_table(io.BytesIO(data), "photo.csv"):
        pass

    assert refused.value.read_code is ReadErrorCode.NOT_A_TABLE
    assert "Latin-1" not in refused.value.message


def test_the_refusal_is_told_in_the_users_language():
    data = "a;b\r\n1;déjà\r\n".encode("latin-1")

    with (
        translation.override("fr"),
        pytest.raises(UnreadableFile) as refused,
        open_table(io.BytesIO(data), "t.csv"),
    ):
        pass

    assert refused.value.message.startswith("Le fichier n’est pas un texte UTF-8 : ligne 2")


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_the_bad_byte_is_located_exactly_after_a_bom_and_across_read_chunks(bom):
    from remis.interop.tables import CHUNK

    head = bom + b"case_ref,note\n"
    # A two-byte "é" cut by the first chunk's end, then a Latin-1 "é" on the next line.
    filler = b"x" * (CHUNK - len(head) - 1)
    data = head + filler + "é\nRET-1,".encode() + b"caf\xe9\n"
    bad = data.index(b"caf\xe9") + 3

    with pytest.raises(UnreadableFile) as refused, open_table(io.BytesIO(data), "t.csv"):
        pass

    assert refused.value.byte_offset == bad
    assert refused.value.line == 3
    assert "(E9 0A)" in refused.value.message


def test_a_bad_byte_right_after_a_bom_is_located():
    data = b"\xef\xbb\xbf\xe9a,b\n"

    with pytest.raises(UnreadableFile) as refused, open_table(io.BytesIO(data), "t.csv"):
        pass

    assert refused.value.byte_offset == 3
    assert refused.value.line == 1
