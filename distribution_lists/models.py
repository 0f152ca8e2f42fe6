"""Distribution lists: the people a campaign calls, imported from a customer's file."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now


class DistributionList(models.Model):
    """One uploaded file and what became of its rows.

    Life: ``draft`` (file uploaded, waiting for the markup) → ``processing``
    (a worker imports it) → ``ready`` or ``failed`` (with ``failure_reason``).
    Only ``distribution_lists.services`` changes the status, by compare-and-set.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "waiting for markup"
        PROCESSING = "processing", "processing"
        READY = "ready", "ready"
        FAILED = "failed", "failed"

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="distribution_lists")
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    failure_reason = models.TextField(blank=True)

    source_file = models.FileField(upload_to="distribution_lists/%Y/%m/", max_length=300)
    original_filename = models.CharField(max_length=255)
    file_kind = models.CharField(max_length=10, blank=True)  # csv, xls, xlsx, ods — by content

    # The markup: which column is the phone (0-based), a variable name for the
    # others (the phone column's entry is kept, unused), how to read numbers.
    has_header = models.BooleanField(default=True)
    phone_column = models.PositiveIntegerField(default=0)
    column_names = models.JSONField(default=list, blank=True)
    default_region = models.CharField(max_length=2, default="GB")

    class Phase(models.TextChoices):
        # The steps of an import, each with its own progress on the list's page.
        READING = "reading", "Reading the file"
        CHECKING = "checking", "Checking numbers"
        SAVING = "saving", "Saving"

    import_phase = models.CharField(max_length=10, choices=Phase.choices, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_read = models.PositiveIntegerField(default=0)
    correct_count = models.PositiveIntegerField(default=0)
    incorrect_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    # The saving phase: rows published so far of those the file gave (correct, incorrect and duplicate).
    rows_saved = models.PositiveIntegerField(default=0)
    rows_to_save = models.PositiveIntegerField(default=0)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a worker starts the import; a second delivery of the same task
    # (after a worker died) finds it set and fails the list instead of
    # importing it twice.
    import_started_at = models.DateTimeField(null=True, blank=True)
    progress_updated_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "processing", "ready", "failed"]),
                name="distribution_list_status_valid",
            ),
            models.UniqueConstraint(fields=["customer", "name"], name="distribution_list_name_unique_per_customer"),
            models.CheckConstraint(
                condition=Q(rows_read__lte=models.F("rows_total")), name="distribution_list_progress"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def variables(self) -> list[str]:
        """The names of the columns other than the phone column, for campaigns to map."""
        return [name for index, name in enumerate(self.column_names) if name and index != self.phone_column]

    @property
    def progress_percent(self) -> int:
        """How far the current phase is (the whole import once ready)."""
        if self.status == self.Status.READY:
            return 100
        if self.import_phase == self.Phase.SAVING:
            return int(self.rows_saved * 100 / self.rows_to_save) if self.rows_to_save else 0
        if self.import_phase == self.Phase.CHECKING:
            return int(self.rows_read * 100 / self.rows_total) if self.rows_total else 0
        return 0


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
