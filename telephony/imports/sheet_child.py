"""Reads one untrusted spreadsheet in a child process and writes its rows as CSV.

Run by :mod:`telephony.imports.sandbox` as ``python sheet_child.py KIND PATH
MAX_ROWS PREVIEW_ROWS MEMORY_MB CPU_SECONDS``, never imported by a shared
process to read a file. Its address space and CPU time are limited before the
spreadsheet libraries are even imported, so a hostile file that makes the
native reader allocate hundreds of gigabytes, or spin, ends this process only.

Rows go to stdout as UTF-8 CSV (blank rows skipped, trailing blank cells
dropped), at most ``MAX_ROWS`` of them: one more than the caller's limit is
enough for it to say the file is too long. Exit status 3 means a file the
readers cannot read, with the reason on stderr.

This file imports nothing from Django or the project, so the child starts fast.
"""

from __future__ import annotations

import csv
import datetime
import io
import resource
import sys

EXIT_UNREADABLE = 3


def cell_text(value: object) -> str:
    """A cell as the text a person typed: 447911123456.0 comes back as "447911123456"."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e20:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).strip()


def _limit(memory_mb: int, cpu_seconds: int) -> None:
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if cpu_seconds > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    # A crash must not leave a core file of the size of the allocation it attempted.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _calamine_rows(path: str):
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(path)
    for index in range(len(workbook.sheet_names)):
        sheet = workbook.get_sheet_by_index(index)
        if sheet.height and sheet.width:
            yield from sheet.iter_rows()
            return


def _openpyxl_rows(path: str):
    # Streaming (read-only) reader: the first rows without reading the rest.
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for sheet in workbook.worksheets:
        sheet.reset_dimensions()  # never trust (or allocate for) the declared size
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None)
        while first is not None and not any(cell not in (None, "") for cell in first):
            first = next(rows, None)
        if first is not None:
            yield first
            yield from rows
            return


def main(argv: list[str]) -> int:
    kind, path, max_rows, preview_rows, memory_mb, cpu_seconds = argv
    _limit(int(memory_mb), int(cpu_seconds))
    cap = int(preview_rows) or int(max_rows)
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    writer = csv.writer(out)
    written = 0
    try:
        source = _openpyxl_rows(path) if kind == "xlsx" and int(preview_rows) else _calamine_rows(path)
        for raw in source:
            row = [cell_text(value) for value in raw]
            while row and not row[-1]:
                row.pop()
            if not row:
                continue
            writer.writerow(row)
            written += 1
            if written >= cap:
                break
    except MemoryError:
        raise
    except Exception as exc:  # any reader failure is the file's fault
        sys.stderr.write(str(exc)[:500] or type(exc).__name__)
        return EXIT_UNREADABLE
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
