"""Distribution lists: the people a campaign calls, imported from a customer's file."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from telephony.imports.models import ImportJob


class DistributionList(models.Model):
    """A customer's list of people to call, made from one uploaded file.

    The upload itself — the stored file, its markup, the background run, its
    phases, progress and failure — is the list's :class:`ImportJob` (``job``).
    The list keeps what is its own: its name, its columns (the variables
    campaigns map), the counts of its rows as they are fixed, and its status,
    which says whether campaigns may use it: ``draft`` (waiting for the
    markup) → ``processing`` → ``ready`` or ``failed``. Only
    ``distribution_lists.services`` changes it, in the transaction that moves
    the job (see docs/decisions/one-import-job.md).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "waiting for markup"
        PROCESSING = "processing", "processing"
        READY = "ready", "ready"
        FAILED = "failed", "failed"

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="distribution_lists")
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    job = models.OneToOneField(
        ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="distribution_list"
    )

    # The list's columns, from the markup: which one is the phone (0-based), a
    # variable name for the others (the phone column's entry is kept, unused),
    # and the country national numbers are read in (also for fixing rows).
    phone_column = models.PositiveIntegerField(default=0)
    column_names = models.JSONField(default=list, blank=True)
    default_region = models.CharField(max_length=2, default="GB")

    correct_count = models.PositiveIntegerField(default=0)
    incorrect_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "processing", "ready", "failed"]),
                name="distribution_list_status_valid",
            ),
            models.UniqueConstraint(fields=["customer", "name"], name="distribution_list_name_unique_per_customer"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def variables(self) -> list[str]:
        """The names of the columns other than the phone column, for campaigns to map."""
        return [name for index, name in enumerate(self.column_names) if name and index != self.phone_column]

    def variables_of(self, cells: list[str]) -> dict[str, str]:
        """A row's cells as a contact's variables: ``{name: value}`` for the named columns other than the phone."""
        return {
            name: (cells[index] if index < len(cells) else "")
            for index, name in enumerate(self.column_names)
            if name and index != self.phone_column
        }

    # The upload's facts, read from the job for the pages (select_related("job") on lists).

    def _job_value(self, name: str, empty: Any = "") -> Any:
        return getattr(self.job, name) if self.job_id else empty

    @property
    def original_filename(self) -> str:
        return self._job_value("original_filename")

    @property
    def file_kind(self) -> str:
        return self._job_value("file_kind")

    @property
    def has_header(self) -> bool:
        return bool(self.job.markup.get("has_header", True)) if self.job is not None else True

    @property
    def failure_reason(self) -> str:
        return self._job_value("failure_reason")

    @property
    def import_phase(self) -> str:
        return self._job_value("phase")

    def get_import_phase_display(self) -> str:
        return self.job.get_phase_display() if self.job is not None else ""

    @property
    def rows_total(self) -> int:
        return self._job_value("rows_total", 0)

    @property
    def rows_read(self) -> int:
        return self._job_value("rows_read", 0)

    @property
    def rows_saved(self) -> int:
        return self._job_value("rows_saved", 0)

    @property
    def rows_to_save(self) -> int:
        return self._job_value("rows_to_save", 0)

    @property
    def finished_at(self) -> datetime | None:
        return self._job_value("finished_at", None)

    @property
    def progress_percent(self) -> int:
        """How far the current phase is (the whole import once ready)."""
        if self.status == self.Status.READY:
            return 100
        return self.job.progress_percent if self.job is not None else 0


class Contact(models.Model):
    """A correct row: the number in E.164, its time zone, the other columns as variables."""

    TENANT_LOOKUP = "distribution_list__customer"

    # No index of its own: the unique (list, phone) and the (list, row) index
    # both start with it, and a third index would cost every import a million inserts.
    distribution_list = models.ForeignKey(
        DistributionList, on_delete=models.CASCADE, related_name="contacts", db_index=False
    )
    phone = models.CharField(max_length=20)
    time_zone = models.CharField(max_length=255, blank=True, help_text="Every candidate zone (telephony.zones).")
    variables = models.JSONField(default=dict, blank=True)
    row_number = models.PositiveIntegerField()
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["distribution_list", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["distribution_list", "phone"], name="contact_phone_unique_per_list"),
            models.CheckConstraint(condition=Q(phone__startswith="+"), name="contact_phone_e164"),
        ]
        indexes = [models.Index(fields=["distribution_list", "row_number"], name="contact_list_row")]

    def __str__(self) -> str:
        return self.phone


class IncorrectRow(models.Model):
    """A row whose number could not be used, kept with its cells and the reason until it is fixed."""

    TENANT_LOOKUP = "distribution_list__customer"

    # Indexed by the (list, row) index, which starts with it.
    distribution_list = models.ForeignKey(
        DistributionList, on_delete=models.CASCADE, related_name="incorrect_rows", db_index=False
    )
    row_number = models.PositiveIntegerField()
    raw_phone = models.TextField(blank=True)
    cells = models.JSONField(default=list, blank=True)
    reason = models.TextField()
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["distribution_list", "row_number"]
        indexes = [models.Index(fields=["distribution_list", "row_number"], name="incorrect_row_list_row")]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.raw_phone}"


class DuplicateRow(models.Model):
    """A row whose number an earlier row of the file already had: not called twice, listed with the row it repeats."""

    TENANT_LOOKUP = "distribution_list__customer"

    # Indexed by the (list, row) index, which starts with it.
    distribution_list = models.ForeignKey(
        DistributionList, on_delete=models.CASCADE, related_name="duplicate_rows", db_index=False
    )
    row_number = models.PositiveIntegerField()
    raw_phone = models.TextField(blank=True)
    phone = models.CharField(max_length=20, help_text="The number in E.164, as the row it repeats has it.")
    first_row_number = models.PositiveIntegerField(help_text="The earlier row with the same number.")
    cells = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["distribution_list", "row_number"]
        indexes = [models.Index(fields=["distribution_list", "row_number"], name="duplicate_row_list_row")]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.raw_phone} (repeats row {self.first_row_number})"
