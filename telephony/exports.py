"""The one way the product writes CSV and XLSX exports.

Every export (DIDs, distribution lists, campaign reports) hands rows — a
header, then lists of cells as Python values — to ``export_response``, which
writes them as CSV or XLSX; nothing else in the product writes a spreadsheet.
The apps keep only their rows: ``campaigns.reports.export_rows``,
``distribution_lists.selectors.distribution_list_export_rows``, and the DIDs'
import-export resources read by ``resource_rows``.

CSV: every field is quoted, so a spreadsheet that splits on ``;`` (German or
French Excel) or ``,`` can never cut a cell such as ``x;=1+1`` in two and run
the second half; and a cell that would itself run as a formula — it starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return and is not a plain
number — gets a leading ``'``. A phone number such as ``+441174090300`` is a
plain number and is written as it is.

XLSX: written by rustpy-xlsxwriter (docs/decisions/xlsx-export-writer.md),
which writes every ``str`` as a text cell, never as a formula, so nothing is
prefixed; dates are dates and booleans are booleans. Datetimes must be naive,
in the zone the reader should see (the writer drops any tzinfo as it is).
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

if TYPE_CHECKING:
    from import_export.resources import ModelResource
    from rustpy_xlsxwriter.rustpy_xlsxwriter import ColumnFormats, SheetEntry

FORMATS = ("csv", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number (an optional sign, digits, an optional fraction or exponent)
# is data to a spreadsheet, not a formula: "+441174090300", "-5", "1.5e3".
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_FORMULA_START_SET = frozenset(FORMULA_STARTS)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_ROWS = 1_048_576  # a worksheet's limit, header included; further rows go to the next sheet
XLSX_MAX_TEXT = 32_767  # Excel's limit for one cell; the writer refuses longer text
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
XLSX_INTEGER_FORMAT = "0"
_SHEET_NAME_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")
# Rows per piece of a CSV stream: the per-yield overhead vanishes and memory
# stays at a few hundred kilobytes.
CSV_ROWS_PER_PIECE = 1000
# Model instances read from the database at a time by ``resource_rows``.
RESOURCE_CHUNK = 2000


def guard_formula(value: object) -> object:
    """``value``, with a leading ``'`` when it is text a spreadsheet would run as a formula."""
    return _guard_row([value])[0]


def _guard_row(row: list) -> list:
    # Inline, not a call per cell: this runs for every cell of a million-row
    # export. The digits test settles phone numbers ("+4411…") without the regex.
    return [
        "'" + value
        if value.__class__ is str
        and value[:1] in _FORMULA_START_SET
        and not ((value[1:].isdigit() and value.isascii()) or _PLAIN_NUMBER.fullmatch(value))
        else value
        for value in row
    ]


# --- CSV ---------------------------------------------------------------------


def csv_pieces(rows: Iterable[list], *, zone=None) -> Iterator[str]:
    """The CSV text of ``rows`` in pieces of ``CSV_ROWS_PER_PIECE`` rows, with a BOM first.

    ``zone`` is the time zone active while rows are made: a streamed body is
    read after the middleware has put the customer's zone away, and the rows
    may format times.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    rows = iter(rows)
    yield "\ufeff"  # lets Excel open UTF-8 with the right characters
    while True:
        with timezone.override(zone) if zone is not None else contextlib.nullcontext():
            batch = list(itertools.islice(rows, CSV_ROWS_PER_PIECE))
        if not batch:
            return
        writer.writerows(_guard_row(row) for row in batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def csv_response(rows: Iterable[list], *, filename: str) -> StreamingHttpResponse:
    """A streamed CSV download of ``rows``; the rows are read as the body is sent."""
    response = StreamingHttpResponse(
        csv_pieces(rows, zone=timezone.get_current_timezone()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- XLSX --------------------------------------------------------------------


def sheet_title(name: str, *, default: str = "Sheet", room: int = 0) -> str:
    """``name`` as a worksheet title: no ``\\ / * ? : [ ]``, at most 31 characters less ``room``."""
    title = _SHEET_NAME_FORBIDDEN.sub("-", name).strip("'")[: 31 - room].strip() or default
    return f"{title} (1)" if title.casefold() == "history" else title  # a name Excel keeps for itself


def _unique_keys(header: list) -> list[str]:
    """The header as distinct texts (the writer keys cells by column name): a repeat gets " (2)"."""
    keys: list[str] = []
    for value in header:
        key, n = str(value), 1
        while key in keys:
            n += 1
            key = f"{value} ({n})"
        keys.append(key)
    return keys


def _records(keys: list[str], rows: Iterator[list], limit: int | None, *, first: bool) -> Iterator[dict]:
    """Each row as the ``{column: value}`` the writer takes (it reads the values in order)."""
    empty = True
    for row in rows if limit is None else itertools.islice(rows, limit):
        empty = False
        yield dict(
            zip(
                keys,
                [
                    value[:XLSX_MAX_TEXT] if value.__class__ is str and len(value) > XLSX_MAX_TEXT else value
                    for value in row
                ],
                strict=False,
            )
        )
    if empty and first:
        # The writer takes the header from the first record: an empty export
        # still gets its header (over a row of empty cells, which is no row).
        yield dict.fromkeys(keys)


def write_xlsx(
    target: str | os.PathLike,
    rows: Iterable[list],
    *,
    title: str,
    row_count: int | None = None,
    integer_columns: Iterable[str] = (),
) -> None:
    """Write ``rows`` (the header first) to an XLSX file at ``target``, with constant memory.

    Cells keep their Python type: ``str`` is text (never a formula), ``int``
    and ``float`` numbers, ``bool`` booleans, ``datetime``/``date`` dates,
    ``None`` empty. ``row_count`` (data rows, when known) spreads more rows
    than one worksheet holds over ``title``, ``title 2`` …, each with the header.

    ``integer_columns`` (header names) hold whole numbers: they get the number
    format ``0``. XLSX has no integer type (every number is a double) and the
    writer spells each one with a fraction (``<v>1.0</v>``, which openpyxl
    reads as ``1.0``); the format makes every spreadsheet show ``1``, at no
    cost per row (rewriting the sheet's XML afterwards doubled the time).
    """
    import rustpy_xlsxwriter

    rows = iter(rows)
    keys = _unique_keys(next(rows))
    per_sheet = XLSX_MAX_ROWS - 1
    sheets = max(1, -(-(row_count or 0) // per_sheet))
    base = sheet_title(title, default="Export", room=len(f" {sheets}") if sheets > 1 else 0)
    entries: list[SheetEntry] = [
        (base if n == 1 else f"{base} {n}", _records(keys, rows, per_sheet if n < sheets else None, first=n == 1))
        for n in range(1, sheets + 1)
    ]
    whole = [key for key in keys if key in set(integer_columns)]
    formats: dict[str, ColumnFormats] | None = None
    if whole:
        integer = rustpy_xlsxwriter.Format().set_num_format(XLSX_INTEGER_FORMAT)
        formats = {name: dict.fromkeys(whole, integer) for name, _ in entries}
    # The generators are read in order, sheet after sheet; the writer keeps
    # one row in memory and spools the sheets to temporary files.
    rustpy_xlsxwriter.write_worksheets(
        entries, os.fspath(target), datetime_format=XLSX_DATETIME_FORMAT, column_formats=formats
    )


def xlsx_file(
    rows: Iterable[list], *, title: str, row_count: int | None = None, integer_columns: Iterable[str] = ()
) -> IO[bytes]:
    """The workbook of ``rows`` as an open temporary file, positioned at its start, already unlinked."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(path, rows, title=title, row_count=row_count, integer_columns=integer_columns)
        return open(path, "rb")  # the caller (FileResponse) closes it
    finally:
        os.unlink(path)  # the open file lives on until closed; nothing is left behind


def xlsx_response(
    rows: Iterable[list],
    *,
    filename: str,
    title: str,
    row_count: int | None = None,
    integer_columns: Iterable[str] = (),
) -> FileResponse:
    """An XLSX download of ``rows``: written to a temporary file first (a zip needs its end), then streamed."""
    return FileResponse(
        xlsx_file(rows, title=title, row_count=row_count, integer_columns=integer_columns),
        as_attachment=True,
        filename=filename,
        content_type=XLSX_CONTENT_TYPE,
    )


# --- Either ------------------------------------------------------------------


def export_response(
    fmt: str,
    rows: Iterable[list],
    *,
    basename: str,
    title: str,
    row_count: Callable[[], int] | None = None,
    integer_columns: Iterable[str] = (),
) -> StreamingHttpResponse | FileResponse:
    """A download of ``rows`` (the header first) as ``<basename>.csv`` or ``<basename>.xlsx``.

    ``row_count`` gives the data rows when asked, for XLSX only (it spreads
    more rows than a worksheet holds over several): a CSV costs no count.
    ``integer_columns``: header names of whole-number columns (XLSX: format ``0``).
    """
    if fmt == "csv":
        return csv_response(rows, filename=f"{basename}.csv")
    if fmt == "xlsx":
        count = row_count() if row_count is not None else None
        return xlsx_response(
            rows, filename=f"{basename}.xlsx", title=title, row_count=count, integer_columns=integer_columns
        )
    raise ValueError(f"Unknown export format {fmt!r}; use csv or xlsx.")


def resource_rows(queryset: QuerySet, resource: ModelResource, *, native: bool = False) -> Iterator[list]:
    """The header, then a row per instance, turned into cells by a django-import-export ``resource``.

    django-import-export builds its whole dataset in memory before writing it;
    here the instances are read in chunks (``iterator``), so memory stays flat
    and the first bytes leave at once. ``native`` keeps the resource's Python
    values (booleans, dates: for XLSX) instead of its text (flags as 1/0, times
    in the viewer's zone: for CSV).
    """
    yield resource.get_export_headers()
    options = {"force_native_type": True} if native else {}
    for instance in queryset.iterator(chunk_size=RESOURCE_CHUNK):
        yield resource.export_resource(instance, **options)


def resource_export_response(queryset: QuerySet, resource: ModelResource, *, fmt: str, basename: str, title: str):
    """``export_response`` of a queryset through its resource, named ``<basename>-<UTC time>``."""
    return export_response(
        fmt,
        resource_rows(queryset, resource, native=fmt == "xlsx"),
        basename=f"{basename}-{timezone.now():%Y%m%d-%H%M%S}",
        title=title,
        row_count=queryset.count,
    )
