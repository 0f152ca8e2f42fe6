"""Streamed CSV and XLSX exports of a DID queryset.

django-import-export builds the whole dataset in memory before writing it;
for an inventory of a million rows the rows are instead read in chunks
(``iterator``) and each is turned into cells by the same ``Resource``, so
memory stays flat and the first bytes leave at once.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return) are prefixed with ``'``, except plain
numbers such as ``+441174090100``, which are data, not formulas.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from import_export.resources import ModelResource

from telephony.exports import escape_formula

FORMATS = ("csv", "xlsx")
CHUNK = 2000


def export_rows(queryset: QuerySet, resource: ModelResource) -> Iterator[list[str]]:
    yield resource.get_export_headers()
    for instance in queryset.iterator(chunk_size=CHUNK):
        yield [escape_formula(value) for value in resource.export_resource(instance)]


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_response(queryset: QuerySet, resource: ModelResource, *, file_format: str, basename: str):
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    filename = f"{basename}-{stamp}.{file_format}"
    if file_format == "csv":
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in export_rows(queryset, resource)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    if file_format == "xlsx":
        from openpyxl import Workbook

        # write_only keeps one row in memory; the file spools to disk past 8 MB.
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("DIDs")
        for row in export_rows(queryset, resource):
            sheet.append(row)
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
        workbook.save(spool)
        spool.seek(0)
        return FileResponse(
            spool,
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    raise ValueError(f"Unknown export format {file_format!r}; use csv or xlsx.")
