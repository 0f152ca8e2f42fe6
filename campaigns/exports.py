"""A campaign's report as CSV or XLSX, streamed with constant memory.

The rows come from ``campaigns.reports.export_rows`` with every cell that
holds outside content (numbers, digits) escaped by
``telephony.exports.escape_formula`` (the one helper for spreadsheet formula injection), so
nothing in a report can run as a formula on the customer's computer.
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

FORMATS = ("csv", "xlsx")
# Rows per piece of the CSV stream: large enough that the per-yield overhead
# vanishes, small enough that memory stays a few hundred kilobytes.
CSV_ROWS_PER_PIECE = 1000
XLSX_MAX_ROWS = 1_048_576  # a worksheet's limit; further rows go to the next sheet


def csv_stream(campaign: Campaign, *, zone=None) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"  # lets Excel open UTF-8 with the right characters
    pending = 0
    for row in export_rows(campaign, zone=zone):
        writer.writerow(row)
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
        # Numbers stay numbers; the rows come with their outside content escaped (reports.export_rows).
        sheet.append(row)
        written += 1
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by FileResponse
    workbook.save(spool)
    spool.seek(0)
    return spool


def export_response(campaign: Campaign, fmt: str):
    base = f"{slugify(campaign.name) or f'campaign-{campaign.pk}'}-report-{timezone.localtime():%Y%m%d-%H%M}"
    if fmt == "csv":
        # The customer's zone now: the stream is read after the middleware has reset it.
        zone = timezone.get_current_timezone()
        response = StreamingHttpResponse(csv_stream(campaign, zone=zone), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{base}.csv"'
        return response
    return FileResponse(
        xlsx_file(campaign),
        as_attachment=True,
        filename=f"{base}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
