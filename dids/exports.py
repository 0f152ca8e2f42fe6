"""Streamed CSV and XLSX exports of a DID queryset.

django-import-export builds the whole dataset in memory before writing it;
for an inventory of a million rows the rows are instead read in chunks
(``iterator``) and each is turned into cells by the same ``Resource``, so
memory stays flat and the first bytes leave at once. The files are written by
``telephony.exports``: in CSV the resource's text (flags as 1/0, times in the
viewer's zone), in XLSX its native values (booleans, dates), numbers as they are.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone
from import_export.resources import ModelResource

from telephony import exports

FORMATS = ("csv", "xlsx")
CHUNK = 2000


def export_rows(queryset: QuerySet, resource: ModelResource, *, native: bool = False) -> Iterator[list]:
    """The header, then one row per DID; ``native`` keeps Python values (for XLSX) instead of text."""
    yield resource.get_export_headers()
    options = {"force_native_type": True} if native else {}
    for instance in queryset.iterator(chunk_size=CHUNK):
        yield resource.export_resource(instance, **options)


def export_response(queryset: QuerySet, resource: ModelResource, *, file_format: str, basename: str):
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    filename = f"{basename}-{stamp}.{file_format}"
    if file_format == "csv":
        return exports.csv_response(export_rows(queryset, resource), filename=filename)
    if file_format == "xlsx":
        return exports.xlsx_response(
            export_rows(queryset, resource, native=True), filename=filename, title="DIDs", row_count=queryset.count()
        )
    raise ValueError(f"Unknown export format {file_format!r}; use csv or xlsx.")
