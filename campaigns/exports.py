"""A campaign's report as CSV or XLSX, streamed with constant memory.

Cells are escaped with the distribution lists' ``escape_formula`` (the one
helper for spreadsheet formula injection): a contact's number or digits
can never run as a formula on the customer's computer.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook

from campaigns.models import Campaign
from campaigns.reports import export_rows
from distribution_lists.exports import escape_formula

FORMATS = ("csv", "xlsx")
# Rows per piece of the CSV stream: large enough that the per-yield overhead
# vanishes, small enough that memory stays a few hundred kilobytes.
CSV_ROWS_PER_PIECE = 1000
XLSX_MAX_ROWS = 1_048_576  # a worksheet's limit; further rows go to the next sheet


def csv_stream(campaign: Campaign) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"  # lets Excel open UTF-8 with the right characters
    pending = 0
    for row in export_rows(campaign):
        writer.writerow([escape_formula(cell) for cell in row])
        pending += 1
        if pending == CSV_ROWS_PER_PIECE:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()


def xlsx_file(campaign: Campaign):
    """The workbook written in openpyxl's write-only mode (one row in memory) to a temporary file."""
    workbook = Workbook(write_only=True)
    title = re.sub(r"[\\/*?:\[\]]", "-", campaign.name)[:28] or "Report"
    sheet, written, sheets = workbook.create_sheet(title), 0, 1
    header = None
    for row in export_rows(campaign):
        if header is None:
            header = row
        if written == XLSX_MAX_ROWS:
            sheets += 1
            sheet, written = workbook.create_sheet(f"{title} {sheets}"), 0
            sheet.append(header)
            written += 1
        # Numbers stay numbers; every text cell is escaped.
        sheet.append([cell if isinstance(cell, int) else escape_formula(cell) for cell in row])
        written += 1
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by FileResponse
    workbook.save(spool)
    spool.seek(0)
    return spool


def export_response(campaign: Campaign, fmt: str):
    base = f"{slugify(campaign.name) or f'campaign-{campaign.pk}'}-report-{timezone.localtime():%Y%m%d-%H%M}"
    if fmt == "csv":
        response = StreamingHttpResponse(csv_stream(campaign), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{base}.csv"'
        return response
    return FileResponse(
        xlsx_file(campaign),
        as_attachment=True,
        filename=f"{base}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
