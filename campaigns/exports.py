"""A campaign's report as CSV or XLSX, streamed with constant memory.

The rows come from ``campaigns.reports.export_rows`` as values (times as
dates, numbers as numbers); ``telephony.exports`` writes them, guarding in
CSV the cells that would run as formulas, and writing text as text in XLSX.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.text import slugify

from campaigns.models import Campaign
from campaigns.reports import export_row_count, export_rows
from telephony import exports

FORMATS = ("csv", "xlsx")


def xlsx_file(campaign: Campaign, *, zone=None):
    """The report's workbook as an open temporary file (more than a sheet's rows go on to the next sheet)."""
    return exports.xlsx_file(
        export_rows(campaign, zone=zone), title=campaign.name or "Report", row_count=export_row_count(campaign)
    )


def export_response(campaign: Campaign, fmt: str):
    base = f"{slugify(campaign.name) or f'campaign-{campaign.pk}'}-report-{timezone.localtime():%Y%m%d-%H%M}"
    # The customer's zone now: a streamed body is read after the middleware has reset it.
    zone = timezone.get_current_timezone()
    if fmt == "csv":
        return exports.csv_response(export_rows(campaign, zone=zone), filename=f"{base}.csv")
    return exports.xlsx_response(
        export_rows(campaign, zone=zone),
        filename=f"{base}.xlsx",
        title=campaign.name or "Report",
        row_count=export_row_count(campaign),
    )
