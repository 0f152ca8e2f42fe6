"""Reads of import jobs."""

from __future__ import annotations

from .errors import ImportFileError
from .jobs import open_job_table
from .models import ImportJob
from .readers import preview


def import_job_preview(job: ImportJob, rows: int = 10) -> list[list[str]]:
    """The first rows of the stored file, for the markup step; :class:`ImportFileError` when it cannot be read."""
    try:
        return preview(open_job_table(job, preview_rows=rows), rows)
    except (OSError, ValueError):
        raise ImportFileError("The uploaded file is no longer available; upload it again.") from None
