"""The one upload lifecycle: a stored file, its markup, a background run, progress, result, failure."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q

from .markup import Markup

if TYPE_CHECKING:
    from customers.models import User


class ImportJob(models.Model):
    """One uploaded file on its way into a distribution list, the DIDs, a caller-ID pool or a do-not-call list.

    Life: ``draft`` (stored, waiting for the markup) → ``processing`` (a worker
    reads it) → ``done`` or ``failed`` (with ``failure_reason``; a failed job
    can be marked up again). Only ``telephony.imports.jobs`` changes the status,
    through :func:`~telephony.imports.jobs.import_job_transition`.

    What every upload has lives here; what only one kind has (a list's name
    and variables, a DID import's operator column) stays on the record that
    points at its job.
    """

    class Kind(models.TextChoices):
        DISTRIBUTION_LIST = "distribution_list", "distribution list"
        DIDS = "dids", "DID inventory"
        CALLERID_POOL = "callerid_pool", "caller-ID pool"
        DNC = "dnc", "do-not-call list"

    class Status(models.TextChoices):
        DRAFT = "draft", "waiting for markup"
        PROCESSING = "processing", "processing"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    class Phase(models.TextChoices):
        # The steps of a run, each with its own progress.
        READING = "reading", "Reading the file"
        CHECKING = "checking", "Checking numbers"
        SAVING = "saving", "Saving"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    failure_reason = models.TextField(blank=True)

    # Emptied once the job is done (the rows are in the database by then).
    source_file = models.FileField(upload_to="imports/%Y/%m/", max_length=300, blank=True)
    original_filename = models.CharField(max_length=255)
    file_kind = models.CharField(max_length=10, blank=True)  # csv, xls, xlsx, ods — by content
    # Markup.as_dict(): has_header, phone_column, default_region, column_names, extra (kind-specific roles).
    markup = models.JSONField(default=dict, blank=True)

    phase = models.CharField(max_length=10, choices=Phase.choices, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_read = models.PositiveIntegerField(default=0)
    # The saving phase: rows published so far of those the file gave (correct, incorrect and duplicate).
    rows_to_save = models.PositiveIntegerField(default=0)
    rows_saved = models.PositiveIntegerField(default=0)
    correct_count = models.PositiveIntegerField(default=0)
    incorrect_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a worker claims the run; a second delivery of the task finds it
    # set and fails the job instead of importing the file twice.
    started_at = models.DateTimeField(null=True, blank=True)
    progress_updated_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "processing", "done", "failed"]), name="import_job_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["distribution_list", "dids", "callerid_pool", "dnc"]),
                name="import_job_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(phase__in=["", "reading", "checking", "saving"]), name="import_job_phase_valid"
            ),
            models.CheckConstraint(condition=Q(rows_read__lte=models.F("rows_total")), name="import_job_progress"),
        ]
        indexes = [
            # The reaper's scan: processing jobs by their last progress.
            models.Index(
                fields=["progress_updated_at"], name="import_job_processing", condition=Q(status="processing")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.get_status_display()})"

    def get_markup(self) -> Markup:
        return Markup.from_dict(self.markup)

    @property
    def progress_percent(self) -> int:
        """How far the current phase is (the whole run once done)."""
        if self.status == self.Status.DONE:
            return 100
        if self.phase == self.Phase.SAVING:
            return int(self.rows_saved * 100 / self.rows_to_save) if self.rows_to_save else 0
        if self.phase == self.Phase.CHECKING:
            return int(self.rows_read * 100 / self.rows_total) if self.rows_total else 0
        return 0


class JobRecord:
    """A kind's own record of an upload (a DID import, a DNC upload): what the job knows is read from the job."""

    job: ImportJob

    @property
    def original_filename(self) -> str:
        return self.job.original_filename

    @property
    def rows_total(self) -> int:
        return self.job.rows_total

    @property
    def failure_reason(self) -> str:
        return self.job.failure_reason

    @property
    def created_at(self) -> dt.datetime:
        return self.job.created_at

    @property
    def progress_percent(self) -> int:
        return self.job.progress_percent

    @property
    def rows_read(self) -> int:
        return self.job.rows_read

    @property
    def incorrect_count(self) -> int:
        return self.job.incorrect_count

    @property
    def duplicate_count(self) -> int:
        return self.job.duplicate_count

    @property
    def created_by(self) -> User | None:
        return self.job.created_by
