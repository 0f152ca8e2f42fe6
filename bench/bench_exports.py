"""XLSX exports at scale: the 1,000,000-attempt report, written by today's writer and by openpyxl.

Run: ``make bench BENCH=exports`` (PostgreSQL). It uses the campaign that
``bench_reports`` builds (its own database ``bench_reports_<name>``, kept
between runs, built here when missing; ``BENCH_REPORT_ATTEMPTS`` sets the
size).

Goal (issue 18, "Exports that finish"): the XLSX export of 1,000,000 rows at
≥ 50,000 rows/s with flat memory. Measured in the same run:

1. the report's XLSX export as the product makes it (``telephony.exports.xlsx_file`` of
   ``campaigns.reports.export_rows``: rows from the database, rustpy-xlsxwriter), against the same rows written
   by the writer the product used before, openpyxl in write-only mode; the
   CSV export as a reference;
2. the writers alone on 1,000,000 generated rows × 8 columns (no database):
   rustpy-xlsxwriter through ``telephony.exports.write_xlsx``, openpyxl
   write-only, and XlsxWriter ``constant_memory`` when it is installed (it is
   not a dependency; ``pip install xlsxwriter`` to include it).

``BENCH_EXPORT_ALT_ROWS`` caps the rows given to the alternatives, openpyxl and
XlsxWriter (default: all; openpyxl needs about a minute and a half per million
on an idle machine, ten on a busy one). Rates are per row either way.
``BENCH_EXPORT_SKIP_WRITERS=1`` leaves part 2 out. "CPU s" is this process only (PostgreSQL works
beside it); on a busy machine the wall-clock rates fall, the CPU seconds do not.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import resource
import tempfile
import time
from pathlib import Path

from django.db import connection

WRITER_ROWS = int(os.environ.get("BENCH_EXPORT_WRITER_ROWS", "1000000"))
ALT_ROWS = int(os.environ["BENCH_EXPORT_ALT_ROWS"]) if os.environ.get("BENCH_EXPORT_ALT_ROWS") else None
GOAL = 50_000


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(label: str, write, rows: int, baseline: float | None = None) -> tuple[list[object], float]:
    """Run ``write()`` (which returns the file's size in bytes) and make a table row of it."""
    from bench.bench_reports import _PeakRss

    with _PeakRss() as memory:
        started, cpu = time.perf_counter(), time.process_time()
        size = write()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rate = rows / seconds
    if baseline is None:
        verdict = f"{'meets' if rate >= GOAL else 'MISSES'} ≥ {GOAL:,}/s"
    else:
        verdict = f"ours {baseline / rate:.1f}× faster"
    return [
        label,
        rows,
        f"{seconds:.1f}",
        f"{cpu:.1f}",
        rate,
        rows / cpu,
        f"{memory.growth_mb:.0f}",
        f"{memory.peak / 1_048_576:.0f}",
        f"{size / 1_048_576:.0f}",
        verdict,
    ], rate


def _openpyxl_file(rows, target: Path) -> int:
    """The product's XLSX writer before this change: openpyxl in write-only mode (one row in memory)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Report")
    for row in rows:
        sheet.append(row)
    workbook.save(target)
    return target.stat().st_size


def _xlsxwriter_file(rows, target: Path) -> int:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(target), {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    sheet = workbook.add_worksheet("Report")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for n, row in enumerate(rows):
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                sheet.write_datetime(n, column, value, date_format)
            elif isinstance(value, str):
                sheet.write_string(n, column, value)
            else:
                sheet.write(n, column, value)
    workbook.close()
    return target.stat().st_size


def _generated_rows(count: int):
    """A header and ``count`` rows × 8 columns like a report's: numbers as text, times, ints, a flag."""
    start = dt.datetime(2026, 3, 2, 8, 0, 0)
    yield ["phone", "attempt", "started", "a_number", "outcome", "cause", "duration_seconds", "answered"]
    for n in range(count):
        yield [
            f"+4479{n:08d}",
            1 + n % 4,
            start + dt.timedelta(seconds=n),
            "+441174090000",
            "Answered" if n % 2 else "No answer",
            "200" if n % 2 else "480",
            30 if n % 2 else None,
            bool(n % 2),
        ]


def _report_rows(campaign) -> list[list]:
    from campaigns.reports import EXPORT_INTEGER_COLUMNS, export_row_count, export_rows
    from telephony.exports import csv_pieces, xlsx_file

    count = export_row_count(campaign)

    def ours() -> int:
        title = campaign.name or "Report"
        with xlsx_file(
            export_rows(campaign), title=title, row_count=count, integer_columns=EXPORT_INTEGER_COLUMNS
        ) as spool:
            return spool.seek(0, 2)

    def csv_export() -> int:
        return sum(len(piece.encode()) for piece in csv_pieces(export_rows(campaign)))

    def before() -> int:
        rows = export_rows(campaign)
        if ALT_ROWS:
            rows = itertools.islice(rows, ALT_ROWS + 1)
        with tempfile.TemporaryDirectory() as directory:
            return _openpyxl_file(rows, Path(directory) / "report.xlsx")

    table = []
    row, rate = _measure("XLSX export, rustpy-xlsxwriter (ours)", ours, count)
    table.append(row)
    before_rows = min(count, ALT_ROWS or count)
    table.append(_measure("XLSX export, openpyxl write-only (before)", before, before_rows, baseline=rate)[0])
    table.append(_measure("CSV export (ours, reference)", csv_export, count)[0])
    return table


def _writer_rows() -> list[list]:
    from telephony.exports import write_xlsx

    table = []
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / "rows.xlsx"

        def ours() -> int:
            write_xlsx(target, _generated_rows(WRITER_ROWS), title="Report")
            return target.stat().st_size

        row, rate = _measure("rustpy-xlsxwriter 0.8.0 (ours)", ours, WRITER_ROWS)
        table.append(row)
        alt_rows = min(WRITER_ROWS, ALT_ROWS or WRITER_ROWS)
        table.append(
            _measure(
                "openpyxl write-only (before)",
                lambda: _openpyxl_file(_generated_rows(alt_rows), target),
                alt_rows,
                baseline=rate,
            )[0]
        )
        try:
            import xlsxwriter  # noqa: F401 - measured only where installed
        except ImportError:
            table.append(["XlsxWriter constant_memory", "not installed", "", "", "", "", "", "", "", ""])
        else:
            table.append(
                _measure(
                    "XlsxWriter constant_memory",
                    lambda: _xlsxwriter_file(_generated_rows(alt_rows), target),
                    alt_rows,
                    baseline=rate,
                )[0]
            )
    return table


HEADERS = [
    "writer",
    "rows",
    "seconds",
    "CPU s",
    "rows/s",
    "rows/CPU s",
    "RSS growth MB",
    "peak RSS MB",
    "file MB",
    "goal / ratio",
]


def _load() -> str:
    """The load average: on a shared machine the wall-clock rates fall with it; CPU seconds do not."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def main() -> None:
    from bench.bench_reports import ATTEMPTS, million_attempt_campaign
    from bench.table import print_table

    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
        return
    # bench_reports' database and campaign: the million attempts are built once for both benchmarks.
    with million_attempt_campaign() as (_, campaign):
        print(f"\nThe report export of {ATTEMPTS:,} attempts (11 columns) from PostgreSQL; {_load()}")
        print_table(HEADERS, _report_rows(campaign))
        if not os.environ.get("BENCH_EXPORT_SKIP_WRITERS"):
            print(f"\nThe writers alone: {WRITER_ROWS:,} generated rows × 8 columns (no database); {_load()}")
            print_table(HEADERS, _writer_rows())
        print(f"\n(process peak RSS {_peak_rss_mb():.0f} MB; {_load()})")
