"""Reading uploaded files as a stream of rows of strings, whatever their format.

The type of a file is decided by its first bytes, never by its name: a PDF
renamed ``.xls`` or random bytes named ``.csv`` are refused with a message
that says what the file really looks like.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.conf import settings

from .errors import ImportFileError
from .sheet_child import EXIT_UNREADABLE

SAMPLE_BYTES = 256 * 1024
# Rows an upload check or a markup form reads from a spreadsheet (never the whole file).
PREVIEW_ROWS = 10
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
    _rows_factory: Callable[[], Iterator[list[str]]] | None = field(default=None, repr=False)

    def rows(self) -> Iterator[list[str]]:
        """Every non-blank row, cells as stripped strings, from the first row."""
        if self._rows_factory is None:
            raise ValueError("this table was made without its rows")
        return self._rows_factory()


def open_table(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    filename: str = "",
    max_rows: int | None = None,
    preview_rows: int = 0,
) -> Table:
    """Open ``source`` (a path or a binary file object) and detect what it is.

    ``filename`` is only used in messages. Raises :class:`ImportFileError` for
    empty, binary, unreadable, unsupported or hostile files.

    Spreadsheets are never parsed in the calling process: after cheap checks of
    the archive (declared dimensions, uncompressed size, compression ratio) a
    child process with memory and CPU limits reads at most ``max_rows`` + 2
    rows (a header and one past the limit) (default ``IMPORT_SPREADSHEET_MAX_ROWS``). With ``preview_rows`` it
    reads only that many (an XLSX by streaming), for a web request that checks
    an upload's header; ``total_rows`` is then the declared height, or 0.
    """
    name = filename or (os.path.basename(source) if isinstance(source, (str, os.PathLike)) else "the file")
    data = _read_all(source)
    if not data.strip():
        raise ImportFileError(f"{name} is empty.")
    head = data[:8]
    limits = SheetLimits.from_settings()
    # A header row, the data rows, and one more so the caller can say the file is too long.
    cap = (max_rows if max_rows is not None else limits.max_rows) + 2
    if head.startswith(_ZIP):
        return _open_zip_workbook(data, name, limits, cap, preview_rows)
    if head.startswith(_OLE2):
        return _open_workbook(data, name, "xls", limits, cap, preview_rows, declared=0)
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


@dataclass(frozen=True)
class SheetLimits:
    """What an untrusted spreadsheet may declare and use (settings ``IMPORT_SPREADSHEET_*``)."""

    max_rows: int = 1_048_576
    max_columns: int = 1_000
    max_cells: int = 50_000_000
    max_uncompressed_bytes: int = 1024 * 1024 * 1024
    max_compression_ratio: int = 100
    memory_mb: int = 2048
    timeout_seconds: int = 300

    @classmethod
    def from_settings(cls) -> SheetLimits:
        """Each field from the setting ``IMPORT_SPREADSHEET_<FIELD>``, else its default."""
        names = cls.__dataclass_fields__
        return cls(**{n: getattr(settings, f"IMPORT_SPREADSHEET_{n.upper()}", getattr(cls, n)) for n in names})


# Entries this small are never bombs, whatever their ratio (styles compress 200:1).
_RATIO_FLOOR_BYTES = 1024 * 1024
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?\"")
_SHEET_ENTRY = re.compile(r"^xl/worksheets/[^/]+\.xml$")


def _open_zip_workbook(data: bytes, name: str, limits: SheetLimits, cap: int, preview_rows: int) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            _check_archive(infos, name, limits)
            mimetype = archive.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
            declared = 0
            for info in infos:
                if _SHEET_ENTRY.match(info.filename):
                    declared = max(declared, _check_dimension(archive, info, name, limits))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
        raise ImportFileError(f"{name} looks like a ZIP archive but is damaged.") from None
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return _open_workbook(data, name, "xlsx", limits, cap, preview_rows, declared)
    if mimetype == "application/vnd.oasis.opendocument.spreadsheet":
        return _open_workbook(data, name, "ods", limits, cap, preview_rows, declared)
    if "word/document.xml" in names:
        raise ImportFileError(f"{name} is a Word document, not a spreadsheet.")
    raise ImportFileError(f"{name} is a ZIP archive, not a spreadsheet (XLSX or ODS) or a CSV file.")


def _check_archive(infos: list[zipfile.ZipInfo], name: str, limits: SheetLimits) -> None:
    """Refuse zip bombs from the central directory alone, before inflating anything."""
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise ImportFileError(
            f"{name} would unpack to {total / 1_048_576:,.0f} MB; spreadsheets that unpack to at most "
            f"{limits.max_uncompressed_bytes / 1_048_576:,.0f} MB are accepted."
        )
    for info in infos:
        if info.file_size > _RATIO_FLOOR_BYTES and info.file_size > limits.max_compression_ratio * max(
            info.compress_size, 1
        ):
            raise ImportFileError(
                f"{name} is compressed {info.file_size // max(info.compress_size, 1):,} to 1 "
                f"(a spreadsheet is at most {limits.max_compression_ratio} to 1): it looks like a zip bomb."
            )


def _check_dimension(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: SheetLimits) -> int:
    """The height a worksheet declares (0 if none), refusing sizes no honest list has."""
    with archive.open(info) as stream:
        head = stream.read(4096)
    match = _DIMENSION.search(head)
    if not match:
        return 0
    first_col, first_row, last_col, last_row = match.groups()
    if last_col is None:
        return int(first_row)
    rows = int(last_row) - int(first_row) + 1
    columns = _column_number(last_col) - _column_number(first_col) + 1
    if rows > limits.max_rows or columns > limits.max_columns or rows * columns > limits.max_cells:
        raise ImportFileError(
            f"{name} declares a sheet of {rows:,} rows by {columns:,} columns; at most {limits.max_rows:,} rows, "
            f"{limits.max_columns:,} columns and {limits.max_cells:,} cells are accepted."
        )
    return int(last_row)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


_CHILD = str(Path(__file__).with_name("sheet_child.py"))
_KIND_NAMES = {"xls": "an Excel 97-2003 (XLS)", "xlsx": "an Excel (XLSX)", "ods": "an OpenDocument (ODS)"}


def _open_workbook(
    data: bytes, name: str, kind: str, limits: SheetLimits, cap: int, preview_rows: int, declared: int
) -> Table:
    text = _read_in_child(data, name, kind, limits, cap, preview_rows)
    if not text:
        raise ImportFileError(f"{name} has no data in any sheet.")
    total = declared if preview_rows else text.count(b"\n")

    def rows() -> Iterator[list[str]]:
        stream = io.TextIOWrapper(io.BytesIO(text), encoding="utf-8", newline="")
        yield from csv.reader(stream)

    return Table(kind=kind, total_rows=total, _rows_factory=rows)


def _read_in_child(data: bytes, name: str, kind: str, limits: SheetLimits, cap: int, preview_rows: int) -> bytes:
    """The sheet's rows as UTF-8 CSV, read by a limited child process (see sheet_child.py)."""
    what = _KIND_NAMES[kind]
    with tempfile.NamedTemporaryFile(suffix=f".{kind}") as copy:
        copy.write(data)
        copy.flush()
        command = [sys.executable, _CHILD, kind, copy.name, str(cap), str(preview_rows)]
        command += [str(limits.memory_mb), str(limits.timeout_seconds)]
        try:
            done = subprocess.run(command, capture_output=True, timeout=limits.timeout_seconds, check=False)
        except subprocess.TimeoutExpired:
            raise ImportFileError(
                f"{name}: reading this spreadsheet took longer than {limits.timeout_seconds} s; it was stopped."
            ) from None
    if done.returncode == 0:
        return done.stdout
    reason = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode == EXIT_UNREADABLE:
        raise ImportFileError(f"{name} looks like {what} file but cannot be read: {reason}")
    if done.returncode in (-9, -24) or "XCPU" in reason:  # SIGKILL / SIGXCPU: the CPU limit
        raise ImportFileError(
            f"{name}: reading this spreadsheet took longer than {limits.timeout_seconds} s; it was stopped."
        )
    # SIGABRT from a failed native allocation, MemoryError, or any other crash of the reader.
    raise ImportFileError(
        f"{name} looks like {what} file but reading it needs more than {limits.memory_mb:,} MB of memory "
        "(it declares far more cells than it holds, or is damaged); it was refused."
    )


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


def _read_all(source: str | os.PathLike[str] | IO[bytes]) -> bytes:
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
