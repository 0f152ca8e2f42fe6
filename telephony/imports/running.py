"""The background run of an import job: claim it, hand it to its kind, fail it with a reason on any error."""

from __future__ import annotations

import logging

from celery.exceptions import SoftTimeLimitExceeded

from .errors import ImportFileError
from .jobs import ImportJobError, import_job_claim, import_job_fail
from .kinds import kind_of
from .models import ImportJob

logger = logging.getLogger(__name__)
TOO_LONG = "The import took longer than the time allowed and was stopped."
UNEXPECTED = "An unexpected error stopped the import; nothing was imported. Please try again."


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a marked-up job once; safe to run twice (only the first run claims it)."""
    job = import_job_claim(job_id)
    if job is None:
        return None
    try:
        kind_of(job.kind).run(job)
    except (ImportFileError, ImportJobError) as exc:
        import_job_fail(job_id=job_id, reason=str(exc))
    except SoftTimeLimitExceeded:
        import_job_fail(job_id=job_id, reason=TOO_LONG)
    except Exception:
        logger.exception("Import job %s (%s) failed", job_id, job.kind)
        import_job_fail(job_id=job_id, reason=UNEXPECTED)
    job.refresh_from_db()
    return job
