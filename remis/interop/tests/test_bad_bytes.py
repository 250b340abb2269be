"""Whatever bytes are uploaded, the readers either read them or raise `UnreadableFile`:
never another exception, which an import job would turn into a crash."""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remis.interop.errors import UnreadableFile
from remis.interop.submissions import read_submissions
from remis.interop.tables import open_table
from remis.interop.tests.exports import QUESTIONS, kobo_csv, kobo_header, kobo_rows, kobo_xlsx

KOBO_CSV = kobo_csv(kobo_header(), kobo_rows())
KOBO_XLSX = kobo_xlsx(kobo_header(), kobo_rows(typed=True))
SETTINGS = settings(
    max_examples=int(__import__("os").environ.get("BAD_BYTES_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def consume(data: bytes) -> None:
    try:
        with open_table(io.BytesIO(data), "upload") as table:
            for _row in table.rows:
                pass
    except UnreadableFile:
        pass
    try:
        with read_submissions(io.BytesIO(data), "upload", questions=QUESTIONS) as export:
            for _submission in export.rows:
                pass
    except UnreadableFile:
        pass


def mutated(base: bytes) -> st.SearchStrategy[bytes]:
    """The file with a few bytes overwritten, cut short, or with bytes inserted."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        data = bytearray(base)
        for _ in range(draw(st.integers(1, 8))):
            position = draw(st.integers(0, len(data) - 1))
            action = draw(st.sampled_from(["overwrite", "insert", "cut"]))
            noise = draw(st.binary(min_size=1, max_size=6))
            if action == "overwrite":
                data[position : position + len(noise)] = noise
            elif action == "insert":
                data[position:position] = noise
            else:
                del data[position:]
                if not data:
                    break
        return bytes(data)

    return build()


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes_are_read_or_refused(data):
    consume(data)


@SETTINGS
@given(st.binary(max_size=400).map(lambda tail: b"PK\x03\x04" + tail))
def test_random_bytes_after_a_zip_signature_are_refused(data):
    consume(data)


@SETTINGS
@given(mutated(KOBO_CSV))
def test_a_damaged_kobo_csv_is_read_or_refused(data):
    consume(data)


@SETTINGS
@given(mutated(KOBO_XLSX))
def test_a_damaged_kobo_workbook_is_read_or_refused(data):
    consume(data)


@SETTINGS
@given(st.binary(max_size=3000))
def test_a_zip_holding_random_bytes_as_its_csv_is_read_or_refused(payload):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("form.csv", payload)
    consume(buffer.getvalue())
