"""Do-not-call entries: a platform list (no customer) and each customer's own list; the files uploaded to them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from telephony.imports.models import ImportJob, JobRecord

if TYPE_CHECKING:
    from customers.models import Customer, User


class DncSource(models.TextChoices):
    UPLOAD = "upload", "Upload"
    API = "api", "API"
    OPT_OUT = "opt_out", "Opt-out during a call"
    ADMIN = "admin", "Administrator"
    DASHBOARD = "dashboard", "Dashboard"
    ERASURE = "erasure", "Erasure"


class DncEntry(models.Model):
    """One number (``+447700900123``) or prefix (``+44870``, ``is_prefix``) never to be called.

    ``customer`` empty: the platform list, which suppresses every customer's
    calls; otherwise that customer's list, which suppresses only its own.
    """

    TENANT_LOOKUP = "customer"

    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="dnc_entries"
    )
    number = models.CharField(max_length=16, help_text="E.164 number, or the start of numbers for a prefix.")
    is_prefix = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=DncSource.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An opt-out records where it came from (plain ids: the entry outlives the campaign).
    campaign_id = models.BigIntegerField(null=True, blank=True)
    attempt_id = models.BigIntegerField(null=True, blank=True)
    comment = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "do-not-call entry"
        verbose_name_plural = "do-not-call entries"
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "number"], condition=Q(customer__isnull=False), name="dnc_unique_per_customer"
            ),
            models.UniqueConstraint(fields=["number"], condition=Q(customer__isnull=True), name="dnc_unique_platform"),
            models.CheckConstraint(condition=Q(source__in=DncSource.values), name="dnc_source_valid"),
            models.CheckConstraint(condition=Q(number__regex=r"^\+[0-9]{1,15}$"), name="dnc_number_format"),
        ]
        # The claim-time check probes numbers (and the prefixes of numbers) by equality; the launch
        # finds a list's few prefixes without reading its million numbers.
        indexes = [
            models.Index(fields=["number"], name="dnc_number"),
            models.Index(fields=["customer", "number"], condition=Q(is_prefix=True), name="dnc_prefix"),
        ]

    def __str__(self) -> str:
        return f"{self.number}{'*' if self.is_prefix else ''}"

    @property
    def list_name(self) -> str:
        return "platform" if self.customer_id is None else "customer"


class UploadStatus(models.TextChoices):
    """An upload's status as the API and pages have always named it, read from its job's."""

    PROCESSING = "processing", "Importing"
    READY = "ready", "Imported"
    FAILED = "failed", "Failed"


# A job is a draft only inside the upload's own transaction: nobody sees it before it is processing.
_UPLOAD_STATUS = {
    ImportJob.Status.DRAFT: UploadStatus.PROCESSING,
    ImportJob.Status.PROCESSING: UploadStatus.PROCESSING,
    ImportJob.Status.DONE: UploadStatus.READY,
    ImportJob.Status.FAILED: UploadStatus.FAILED,
}


def job_statuses_of(status: str) -> list[str]:
    """The job statuses an upload of ``status`` (an :class:`UploadStatus`) can have, for a filter."""
    return [job for job, upload in _UPLOAD_STATUS.items() if upload == status]


class DncUpload(JobRecord, models.Model):
    """A file of numbers for a do-not-call list: its :class:`ImportJob` (file, owner, status, progress,
    failure) and what only a DNC upload has — how many numbers it added, how many were listed already,
    and the first incorrect rows with their reasons.

    The job's customer is the list's owner (empty: the platform list). Changed only by ``dnc.upload``.
    """

    TENANT_LOOKUP = "job__customer"

    job = models.OneToOneField(ImportJob, on_delete=models.CASCADE, related_name="dnc_upload")
    added_count = models.PositiveIntegerField(default=0)
    # On the list before the upload, or earlier in the same file.
    already_listed_count = models.PositiveIntegerField(default=0)
    # [{"row": 6, "value": "not a number", "reason": "..."}], the first MAX_REPORTED_ROWS of them.
    incorrect_rows = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "do-not-call upload"
        verbose_name_plural = "do-not-call uploads"

    def __str__(self) -> str:
        return self.original_filename

    # The upload's facts, read from the job (select_related("job") on lists of uploads).

    @property
    def customer(self) -> Customer | None:
        return self.job.customer

    @property
    def list_name(self) -> str:
        return "platform" if self.job.customer_id is None else "customer"

    @property
    def status(self) -> str:
        return _UPLOAD_STATUS[ImportJob.Status(self.job.status)]

    def get_status_display(self) -> str:
        return UploadStatus(self.status).label

    @property
    def added_by(self) -> User | None:
        return self.job.created_by

    @property
    def report(self) -> dict[str, Any]:
        """The result the API and pages show: empty until the upload is imported."""
        if self.job.status != ImportJob.Status.DONE:
            return {}
        return {
            "added": self.added_count,
            "already_listed": self.already_listed_count,
            "incorrect": self.job.incorrect_count,
            "incorrect_rows": self.incorrect_rows,
        }
