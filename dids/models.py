"""DID inventory: operators, DIDs, packages and the packages of customers.

Statuses change only through ``dids.services`` (one transition function);
the database refuses rows that break the lifecycle's shape (an Assigned DID
without a customer, a Hold without an end, ...).
"""

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from telephony.imports.models import ImportJob, JobRecord

E164_REGEX = r"^\+[1-9][0-9]{2,14}$"


class Operator(models.Model):
    """A DID provider."""

    name = models.CharField(max_length=100, unique=True)
    contact_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DIDStatus(models.TextChoices):
    IN_STOCK = "in_stock", "In Stock"
    RESERVED = "reserved", "Reserved"
    ASSIGNED = "assigned", "Assigned"
    HOLD = "hold", "Hold"
    ARCHIVE = "archive", "Archive"


# A DID may be created, and may return after Hold, only to these.
CREATION_STATUSES = (DIDStatus.IN_STOCK, DIDStatus.RESERVED, DIDStatus.ARCHIVE)
AFTER_HOLD_STATUSES = CREATION_STATUSES
# In a customer's use: they carry the customer and the client package.
CUSTOMER_STATUSES = (DIDStatus.ASSIGNED, DIDStatus.HOLD)
# What phonenumbers classifies at creation: written with the number, never edited.
CLASSIFICATION_FIELDS = ("iso_country", "number_type", "area_code", "locality", "unverified")


class AfterHoldStatus(models.TextChoices):
    IN_STOCK = DIDStatus.IN_STOCK.value, DIDStatus.IN_STOCK.label
    RESERVED = DIDStatus.RESERVED.value, DIDStatus.RESERVED.label
    ARCHIVE = DIDStatus.ARCHIVE.value, DIDStatus.ARCHIVE.label


class NumberType(models.TextChoices):
    GEOGRAPHIC = "geographic", "Geographic"
    MOBILE = "mobile", "Mobile"
    TOLLFREE = "tollfree", "Toll-free"
    NATIONAL = "national", "National"
    OTHER = "other", "Other"


class Package(models.Model):
    """What a customer may pick: how many DIDs, with which tags, and the hold period."""

    name = models.CharField(max_length=100, unique=True)
    did_limit = models.PositiveIntegerField("DID limit", help_text="How many DIDs a customer may hold under it.")
    allowed_tags = models.JSONField(
        default=list,
        blank=True,
        help_text="Tags of DIDs that may be picked under this package; empty means any DID.",
    )
    hold_days = models.PositiveIntegerField(
        "hold period (days)",
        default=30,
        help_text="How long the DIDs of a deactivated client package stay in Hold before returning to stock.",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(did_limit__gte=0), name="package_did_limit_not_negative"),
            models.CheckConstraint(condition=Q(hold_days__gte=0), name="package_hold_days_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def allows_tag(self, tag: str) -> bool:
        return not self.allowed_tags or tag in self.allowed_tags


class ClientPackage(models.Model):
    """A package given to a customer; its DIDs are Assigned while it is active."""

    TENANT_LOOKUP = "customer"

    if TYPE_CHECKING:
        room: int  # set by the assign page: DIDs it can still take

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="client_packages")
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="client_packages")
    active = models.BooleanField(default=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["customer__name", "package__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="client_package_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        state = "active" if self.active else "inactive"
        return f"{self.package.name} for {self.customer.name} ({state})"


def history_user(instance=None, request=None, **kwargs):
    """The person behind a change; none when a customer's software made it with an API token."""
    user = getattr(request, "user", None)
    return user if isinstance(user, get_user_model()) else None


class DID(models.Model):
    """One phone number in the inventory."""

    TENANT_LOOKUP = "customer"

    number = models.CharField("number (E.164)", max_length=16, unique=True)
    raw = models.CharField("as entered", max_length=64, blank=True)
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="dids")
    status = models.CharField(max_length=16, choices=DIDStatus.choices, default=DIDStatus.IN_STOCK)
    after_hold_status = models.CharField(
        "after hold", max_length=16, choices=AfterHoldStatus.choices, default=AfterHoldStatus.IN_STOCK
    )
    tag = models.CharField(max_length=64, blank=True)
    notes = models.TextField(blank=True)
    # Indexed by did_customer_status and did_client_package_status, which start
    # with them: an index of their own would only slow every insert.
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="dids", db_index=False
    )
    client_package = models.ForeignKey(
        ClientPackage, null=True, blank=True, on_delete=models.PROTECT, related_name="dids", db_index=False
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    hold_started_at = models.DateTimeField(null=True, blank=True)
    hold_ends_at = models.DateTimeField(null=True, blank=True)
    # Classification by phonenumbers at creation.
    iso_country = models.CharField("country", max_length=2, blank=True)
    number_type = models.CharField(max_length=16, choices=NumberType.choices, default=NumberType.OTHER)
    area_code = models.CharField(max_length=8, blank=True, help_text="National destination code.")
    locality = models.CharField(max_length=100, blank=True)
    unverified = models.BooleanField(
        default=False, help_text="Plausible digits that phonenumbers does not (yet) know as a valid number."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        get_user=history_user,
        excluded_fields=["updated_at"],
        # The audit log is read by DID (id), date, user, action and the digits
        # (a trigram index); indexes on the other copied columns were never
        # read and cost every import and range a write each.
        no_db_index=["number", "operator", "customer", "client_package"],
        verbose_name="DID audit log entry",
        verbose_name_plural="DID audit log",
    )

    class Meta:
        verbose_name = "DID"
        verbose_name_plural = "DIDs"
        ordering = ["number"]
        indexes = [
            models.Index(fields=["status", "number"], name="did_status_number"),
            models.Index(fields=["customer", "status"], name="did_customer_status"),
            models.Index(fields=["client_package", "status"], name="did_client_package_status"),
            models.Index(fields=["iso_country", "number_type", "status"], name="did_country_type_status"),
            models.Index(fields=["tag"], name="did_tag"),
            models.Index(fields=["hold_ends_at"], condition=Q(status=DIDStatus.HOLD), name="did_hold_ends"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(number__regex=E164_REGEX), name="did_number_e164"),
            models.CheckConstraint(condition=Q(status__in=DIDStatus.values), name="did_status_valid"),
            models.CheckConstraint(
                condition=Q(after_hold_status__in=AfterHoldStatus.values), name="did_after_hold_status_valid"
            ),
            models.CheckConstraint(condition=Q(number_type__in=NumberType.values), name="did_number_type_valid"),
            # In a customer's use exactly when it carries the customer and its package.
            models.CheckConstraint(
                condition=(
                    Q(status__in=CUSTOMER_STATUSES, customer__isnull=False, client_package__isnull=False)
                    | (~Q(status__in=CUSTOMER_STATUSES) & Q(customer__isnull=True, client_package__isnull=True))
                ),
                name="did_customer_iff_in_use",
            ),
            # A Hold always has its start and end; no other status has them.
            models.CheckConstraint(
                condition=(
                    Q(status=DIDStatus.HOLD, hold_started_at__isnull=False, hold_ends_at__isnull=False)
                    | (~Q(status=DIDStatus.HOLD) & Q(hold_started_at__isnull=True, hold_ends_at__isnull=True))
                ),
                name="did_hold_dates_iff_hold",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_unreachable(self) -> bool:
        return self.status == DIDStatus.HOLD


class DIDImport(JobRecord, models.Model):
    """One uploaded DID file: its :class:`ImportJob` (file, markup, status, progress, failure) and what only
    a DID import has — the values for rows without an operator, status or tag column, and its counts.

    The job's status is the import's: ``draft`` → ``processing`` → ``done``
    or ``failed``. The markup's ``extra`` holds the operator, status, tag and
    notes columns (absent: the default applies). Changed only by ``dids.imports``.
    """

    Status = ImportJob.Status

    job = models.OneToOneField(ImportJob, on_delete=models.CASCADE, related_name="did_import")
    default_operator = models.ForeignKey(Operator, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    default_status = models.CharField(max_length=16, choices=AfterHoldStatus.choices, default=AfterHoldStatus.IN_STOCK)
    default_tag = models.CharField(max_length=64, blank=True)

    created_count = models.PositiveIntegerField(default=0)
    existing_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "DID import"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_status__in=AfterHoldStatus.values), name="did_import_default_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.get_status_display()})"

    # The upload's facts, read from the job (select_related("job") on lists of imports).

    @property
    def status(self) -> str:
        return self.job.status

    def get_status_display(self) -> str:
        return self.job.get_status_display()


class DIDImportIssue(models.Model):
    """A row of an import that did not create a DID: already existing, incorrect, or repeated in the file."""

    class Kind(models.TextChoices):
        EXISTING = "existing", "already existing"
        INCORRECT = "incorrect", "incorrect"
        DUPLICATE = "duplicate", "repeated in the file"

    did_import = models.ForeignKey(DIDImport, on_delete=models.CASCADE, related_name="issues")
    row_number = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    raw = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["row_number"]
        indexes = [models.Index(fields=["did_import", "kind", "row_number"], name="did_import_issue_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["existing", "incorrect", "duplicate"]), name="did_import_issue_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.get_kind_display()}"
