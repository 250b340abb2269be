"""Benchmark: reading a 100,000-row KoBoToolbox submission export, CSV and XLSX.

    .venv/bin/python bench/interop_read.py [--rows 100000] [--repeat 3]

Builds the files the way KoBoToolbox does (formpack: `;`, every field quoted, CRLF;
XLSX by xlsxwriter in constant-memory mode with typed cells) for a monitoring instrument
of 30 questions (3 select-multiple with 6 choices each, exported "both" ways), 61
columns with KoBo's metadata. Then times, best of `--repeat`:

- `read_submissions`: the whole reader (format and encoding checks, header mapping,
  answers, ids, times, choice columns joined), every row consumed;
- `open_table`: the lower layer alone (rows as lists of text);
- the reference measured in the same run: the plain `csv.reader` over the same file
  (decoding and splitting only), and openpyxl's read-only `iter_rows(values_only=True)`
  for the workbook; pandas when it is installed.

Peak Python memory of one `read_submissions` pass is measured separately (tracemalloc
slows the run), to show that the file is streamed, not loaded. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import functools
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "remis.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-never-used-for-anything-else-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")

import django

django.setup()

from remis.interop.columns import QuestionSpec  # noqa: E402
from remis.interop.submissions import read_submissions  # noqa: E402
from remis.interop.tables import open_table  # noqa: E402

CHOICES = ("a1", "a2", "a3", "a4", "a5", "a6")
KOBO_METADATA = [
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "meta/rootUuid",
    "_index",
]


def instrument() -> list[QuestionSpec]:
    specs = [QuestionSpec("case_ref")]
    specs += [QuestionSpec(f"q{n:02}") for n in range(1, 23)]
    specs += [QuestionSpec(f"m{n}", multiple=True, choices=CHOICES) for n in range(1, 4)]
    specs += [QuestionSpec(f"n{n}") for n in range(1, 4)]
    specs += [QuestionSpec("comment")]
    return specs


def header(specs: list[QuestionSpec]) -> list[str]:
    columns = ["start", "end"]
    for spec in specs:
        columns.append(spec.name)
        if spec.multiple:
            columns += [f"{spec.name}/{choice}" for choice in CHOICES]
    return columns + KOBO_METADATA


def rows(specs: list[QuestionSpec], count: int, typed: bool) -> list[list[object]]:
    base = datetime(2026, 1, 1, 8, 0, 0)
    result = []
    for number in range(count):
        row: list[object] = ["2026-01-01T08:00:00.000+01:00", "2026-01-01T08:20:00.000+01:00"]
        for spec in specs:
            if spec.name == "case_ref":
                row.append(f"RET-2026-{number:07}")
            elif spec.multiple:
                chosen = [c for i, c in enumerate(CHOICES) if (number + i) % 3 == 0]
                row.append(" ".join(chosen))
                row += [(1 if typed else "1") if c in chosen else (0 if typed else "0") for c in CHOICES]
            elif spec.name.startswith("n"):
                row.append(number % 9 if typed else str(number % 9))
            elif spec.name == "comment":
                row.append('Visited at home; household says "fine".' if number % 10 == 0 else "")
            else:
                row.append(f"option_{number % 4}")
        uuid = f"{number:08x}-8f41-4a8e-9c55-3f2a7d10e001"
        moment = base + timedelta(seconds=number * 7)
        row += [
            number + 1 if typed else str(number + 1),
            uuid,
            moment if typed else moment.isoformat(),
            "",
            "",
            "submitted_via_web",
            "",
            "vGqPZbm8nV4TkK2rW7wDxA",
            "",
            f"uuid:{uuid}",
            number + 1 if typed else str(number + 1),
        ]
        result.append(row)
    return result


def write_kobo_csv(path: Path, columns: list[str], data: list[list[object]]) -> None:
    table: list[list[object]] = [list(columns), *data]
    with path.open("wb") as out:
        for values in table:
            cells = [str(v).replace('"', '""') for v in values]
            out.write(('"' + '";"'.join(cells) + '"\r\n').encode("utf-8"))


def write_kobo_xlsx(path: Path, columns: list[str], data: list[list[object]]) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "default_date_format": "yyyy-mm-dd", "remove_timezone": True}
    )
    sheet = workbook.add_worksheet("Monitoring")
    table: list[list[object]] = [list(columns), *data]
    for number, values in enumerate(table):
        for column, value in enumerate(values):
            sheet.write(number, column, value)
    workbook.close()


def best(repeat: int, run: Callable[[], int]) -> tuple[float, int]:
    times = []
    count = 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = run()
        times.append(time.perf_counter() - started)
    return min(times), count


def whole_reader(path: Path, specs: list[QuestionSpec]) -> int:
    count = 0
    with path.open("rb") as file, read_submissions(file, path.name, questions=specs) as export:
        for submission in export.rows:
            assert not submission.problems, submission.problems
            count += 1
    return count


def lower_layer(path: Path) -> int:
    count = 0
    with path.open("rb") as file, open_table(file, path.name) as table:
        for _row in table.rows:
            count += 1
    return count


def plain_csv(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as text:
        return sum(1 for _row in csv.reader(text, delimiter=";")) - 1


def plain_openpyxl(path: Path) -> int:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True)) - 1
    finally:
        workbook.close()


def pandas_reader(kind: str) -> Callable[[Path], int] | None:
    try:
        import pandas
    except ImportError:
        return None
    if kind == "csv":
        return lambda path: len(pandas.read_csv(path, sep=";", dtype=str, keep_default_na=False))
    return lambda path: len(pandas.read_excel(path, dtype=str))


def peak_memory(path: Path, specs: list[QuestionSpec]) -> float:
    tracemalloc.start()
    whole_reader(path, specs)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / (1024 * 1024)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="csv,xlsx", help="which files to time: csv, xlsx or both")
    args = parser.parse_args()
    specs = instrument()
    columns = header(specs)
    lines = []
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "kobo.csv"
        xlsx_path = Path(folder) / "kobo.xlsx"
        formats = args.formats.split(",")
        if "csv" in formats:
            write_kobo_csv(csv_path, columns, rows(specs, args.rows, typed=False))
        if "xlsx" in formats:
            write_kobo_xlsx(xlsx_path, columns, rows(specs, args.rows, typed=True))
        for kind, path, reference_name, reference in (
            ("CSV", csv_path, "csv.reader", plain_csv),
            ("XLSX", xlsx_path, "openpyxl iter_rows", plain_openpyxl),
        ):
            if kind.lower() not in formats:
                continue
            repeat = args.repeat if kind == "CSV" else max(1, args.repeat - 1)
            size = path.stat().st_size / (1024 * 1024)
            runs: list[tuple[str, Callable[[Path], int]]] = [
                ("read_submissions", lambda p: whole_reader(p, specs)),
                ("open_table", lower_layer),
                (f"reference: {reference_name}", reference),
            ]
            extra = pandas_reader(kind.lower())
            if extra is not None:
                runs.append(("reference: pandas", extra))
            measured = [(name, best(repeat, functools.partial(run, path))) for name, run in runs]
            peak = peak_memory(path, specs)
            for name, (seconds, count) in measured:
                assert count == args.rows, (name, count)
                memory = f"{peak:.1f} MB" if name == "read_submissions" else ""
                rate = f"{count / seconds:,.0f}"
                lines.append(f"| {kind} ({size:.0f} MB) | {name} | {seconds:.2f} s | {rate} | {memory} |")
    load = os.getloadavg()[0]
    print(
        f"{args.rows:,} rows x {len(columns)} columns; Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, load average {load:.1f} at the end"
    )
    print("| file | reader | time | rows/s | peak Python memory |")
    print("| --- | --- | --- | --- | --- |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
