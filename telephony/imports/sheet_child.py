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
    if type(value) is str:  # most cells: checked first
        return value.strip()
    if value is None:
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


class _LazyStrings:
    """A workbook's shared-string table, parsed only as far as the cells read so far need.

    openpyxl reads the whole table before the first row (1.7 s of CPU for a
    100,000-row list of unique names, 18 s for a million); a preview of ten
    rows needs the first few strings. Each string is read as openpyxl's own
    ``read_string_table`` reads it, so the preview shows the same text.
    """

    def __init__(self, archive, part: str) -> None:
        self._strings: list[str] = []
        self._source = self._read(archive, part)

    @staticmethod
    def _read(archive, part: str):
        from openpyxl.cell.text import Text
        from openpyxl.xml.constants import SHEET_MAIN_NS
        from openpyxl.xml.functions import iterparse

        tag = f"{{{SHEET_MAIN_NS}}}si"
        with archive.open(part) as source:
            for _event, node in iterparse(source):
                if node.tag == tag:
                    item = Text.from_tree(node)
                    text = item.content.replace("x005F_", "") if item is not None else ""
                    node.clear()
                    yield text

    def __getitem__(self, index: int) -> str:
        if index < 0:
            raise IndexError(index)
        while len(self._strings) <= index:
            following = next(self._source, None)
            if following is None:
                raise IndexError(f"shared string {index} does not exist")
            self._strings.append(following)
        return self._strings[index]


def _openpyxl_workbook(path: str):
    """``openpyxl.load_workbook(path, read_only=True, data_only=True)`` with a lazy shared-string table."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.xml.constants import SHARED_STRINGS

    # The declared size is never trusted (nor used: rows are read as they come),
    # and a sheet without one made openpyxl parse the whole sheet to find that
    # out before yielding the first row. This process reads one file and ends,
    # so changing the class here changes nothing elsewhere.
    ReadOnlyWorksheet._get_size = lambda self: None  # type: ignore[attr-defined]  # private, not in the stubs

    class PreviewReader(ExcelReader):
        def read_strings(self) -> None:
            part = self.package.find(SHARED_STRINGS)
            # A lazy table: openpyxl only indexes it (the stubs say list).
            self.shared_strings = _LazyStrings(self.archive, part.PartName[1:]) if part is not None else []  # type: ignore[assignment]

    reader = PreviewReader(path, read_only=True, keep_vba=False, data_only=True, keep_links=True, rich_text=False)
    reader.read()
    return reader.wb


def _openpyxl_rows(path: str):
    # Streaming (read-only) reader: the first rows without reading the rest.
    workbook = _openpyxl_workbook(path)
    for sheet in workbook.worksheets:
        sheet.reset_dimensions()  # never trust (or allocate for) a declared size
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
