"""Reading uploaded files as a stream of rows of strings, whatever their format.

The type of a file is decided by its first bytes, never by its name: a PDF
renamed ``.xls`` or random bytes named ``.csv`` are refused with a message
that says what the file really looks like.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_calamine import CalamineError, CalamineWorkbook

from .errors import ImportFileError

SAMPLE_BYTES = 256 * 1024
DELIMITERS = (",", ";", "\t")
# csv refuses fields over 128 KiB by default; a phone list never has one, but a
# binary file that slipped through would, so the limit stays modest and its
# error is turned into ImportFileError.
csv.field_size_limit(1024 * 1024)

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_FOREIGN_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"{\\rtf": "an RTF document",
}


@dataclass
class Table:
    """An opened file: its kind and a way to iterate its rows (lists of strings).

    ``total_rows`` counts the physical rows (lines of a text file, rows of the
    first sheet) so a progress bar has a denominator before the rows are read;
    blank rows are counted there but never yielded.
    """

    kind: str  # "csv" or "xls" / "xlsx" / "ods"
    total_rows: int
    encoding: str | None = None
    delimiter: str | None = None
    _rows_factory: object = field(default=None, repr=False)

    def rows(self) -> Iterator[list[str]]:
        """Every non-blank row, cells as stripped strings, from the first row."""
        return self._rows_factory()  # type: ignore[misc]


def open_table(source: str | os.PathLike | BinaryIO, *, filename: str = "") -> Table:
    """Open ``source`` (a path or a binary file object) and detect what it is.

    ``filename`` is only used in messages. Raises :class:`ImportFileError` for
    empty, binary, unreadable or unsupported files.
    """
    name = filename or (os.path.basename(source) if isinstance(source, (str, os.PathLike)) else "the file")
    data = _read_all(source)
    if not data.strip():
        raise ImportFileError(f"{name} is empty.")
    head = data[:8]
    if head.startswith(_ZIP):
        return _open_zip_workbook(data, name)
    if head.startswith(_OLE2):
        return _open_workbook(data, name, "xls")
    for signature, what in _FOREIGN_SIGNATURES.items():
        if head.startswith(signature):
            raise ImportFileError(f"{name} is {what}, not a CSV, text or spreadsheet file.")
    return _open_text(data, name)


def preview(table: Table, n: int = 10) -> list[list[str]]:
    """The first ``n`` non-blank rows, for the markup step."""
    rows = []
    for row in table.rows():
        rows.append(row)
        if len(rows) >= n:
            break
    return rows


# --- Spreadsheets -------------------------------------------------------------


def _open_zip_workbook(data: bytes, name: str) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
    except zipfile.BadZipFile:
        raise ImportFileError(f"{name} looks like a ZIP archive but is damaged.") from None
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return _open_workbook(data, name, "xlsx")
    if mimetype == "application/vnd.oasis.opendocument.spreadsheet":
        return _open_workbook(data, name, "ods")
    if "word/document.xml" in names:
        raise ImportFileError(f"{name} is a Word document, not a spreadsheet.")
    raise ImportFileError(f"{name} is a ZIP archive, not a spreadsheet (XLSX or ODS) or a CSV file.")


def _open_workbook(data: bytes, name: str, kind: str) -> Table:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = _first_sheet_with_data(workbook)
    except (CalamineError, ValueError, OSError) as exc:
        what = {"xls": "an Excel 97-2003 (XLS)", "xlsx": "an Excel (XLSX)", "ods": "an OpenDocument (ODS)"}[kind]
        raise ImportFileError(f"{name} looks like {what} file but cannot be read: {exc}") from None
    if sheet is None:
        raise ImportFileError(f"{name} has no data in any sheet.")

    def rows() -> Iterator[list[str]]:
        for raw in sheet.iter_rows():
            row = [_cell_text(value) for value in raw]
            while row and not row[-1]:
                row.pop()
            if row:
                yield row

    return Table(kind=kind, total_rows=sheet.height, _rows_factory=rows)


def _first_sheet_with_data(workbook: CalamineWorkbook):
    for index in range(len(workbook.sheet_names)):
        sheet = workbook.get_sheet_by_index(index)
        if sheet.height and sheet.width:
            return sheet
    return None


def _cell_text(value: object) -> str:
    # Spreadsheets store phone numbers typed as numbers as floats: 447911123456.0
    # must come back as the digits a person typed, not "447911123456.0".
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


# --- Text ----------------------------------------------------------------------


def _open_text(data: bytes, name: str) -> Table:
    encoding, bom_length = detect_encoding(data, name)
    text_sample = data[bom_length : bom_length + SAMPLE_BYTES]
    sample = codecs.getincrementaldecoder(encoding)(errors="replace").decode(text_sample, final=False)
    delimiter = detect_delimiter(sample)
    total = _count_lines(data, encoding)

    def rows() -> Iterator[list[str]]:
        stream = io.TextIOWrapper(io.BytesIO(data[bom_length:]), encoding=encoding, newline="")
        reader = csv.reader(stream, delimiter=delimiter)
        try:
            for raw in reader:
                row = [cell.strip() for cell in raw]
                while row and not row[-1]:
                    row.pop()
                if row:
                    yield row
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ImportFileError(f"{name} cannot be read as text on line {reader.line_num}: {exc}") from None

    return Table(kind="csv", total_rows=total, encoding=encoding, delimiter=delimiter, _rows_factory=rows)


def detect_encoding(data: bytes, name: str = "the file") -> tuple[str, int]:
    """``(codec, length of the byte-order mark)`` for a text file, or ImportFileError for binary data."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if data.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    sample = data[:SAMPLE_BYTES]
    controls = sum(sample.count(bytes([c])) for c in (*range(0, 9), 11, 12, *range(14, 32), 127))
    if controls > max(2, len(sample) // 200):
        raise ImportFileError(f"{name} is not a text or spreadsheet file (it contains binary data).")
    try:
        # The sample may end inside a multi-byte character: an incremental
        # decoder with final=False accepts that.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(sample) == len(data))
        return "utf-8", 0
    except UnicodeDecodeError:
        pass
    return ("cp1251" if _looks_cyrillic(sample) else "latin-1"), 0


def _looks_cyrillic(sample: bytes) -> bool:
    # In Windows-1251 Cyrillic words are runs of bytes >= 0xC0; in Latin-1 text
    # accented letters sit alone between ASCII letters ("Müller", "José").
    paired = isolated = 0
    previous_high = False
    for position, byte in enumerate(sample):
        high = byte >= 0xC0
        if high and previous_high:
            paired += 1
        elif high:
            following = sample[position + 1] if position + 1 < len(sample) else 0
            if following < 0xC0:
                isolated += 1
        previous_high = high
    return paired > isolated


def detect_delimiter(sample: str) -> str:
    """Comma, semicolon or tab: the one that splits the first lines most consistently."""
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # probably cut in the middle
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        multi = [w for w in widths if w > 1]
        if not multi:
            continue
        common = max(set(multi), key=multi.count)
        score = (multi.count(common), common)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _count_lines(data: bytes, encoding: str) -> int:
    newline = "\n".encode(encoding)
    count = data.count(newline)
    return count + (0 if data.endswith(newline) else 1)


def _read_all(source: str | os.PathLike | BinaryIO) -> bytes:
    # Uploads are capped by settings (100 MB by default) before they get here,
    # and both calamine and the csv reader want the whole file anyway.
    if isinstance(source, (str, os.PathLike)):
        try:
            return Path(source).read_bytes()
        except OSError as exc:
            raise ImportFileError(f"cannot read {source}: {exc.strerror}") from None
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read()
