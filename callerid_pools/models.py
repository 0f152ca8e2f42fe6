"""Caller-ID carousels: pools of DIDs the dialer takes its A-numbers from.

A pool belongs to one customer, or is global (offered to every customer). Its
members are DIDs with a position; which DIDs may join and which are usable at
a given moment is decided in ``callerid_pools.services`` (the rules need the
DID's live status, which a check constraint cannot see). The database holds
what it can: the owner's shape, one DID at most once per pool, one member per
position, pool names unique per owner.
"""

from django.db import models
from django.db.models import Q

from telephony.imports.models import ImportJob


class PoolType(models.TextChoices):
    SEQUENTIAL = "sequential", "Carousel — sequential"
    RANDOM = "random", "Carousel — random"


class NumberPool(models.Model):
    """A caller-ID pool: sequential (in order, wrapping) or random."""

    TENANT_LOOKUP = "customer"
    GLOBAL_LOOKUP = "is_global"

    name = models.CharField(max_length=100)
    pool_type = models.CharField("pool type", max_length=16, choices=PoolType.choices, default=PoolType.SEQUENTIAL)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="number_pools"
    )
    is_global = models.BooleanField(
        "global", default=False, help_text="Offered to every customer; its members are the platform's Reserved DIDs."
    )
    # The sequential carousel's shared counter on SQLite: every draw adds one in
    # a single UPDATE ... RETURNING, so workers never share a position. On
    # PostgreSQL the pool's own sequence counts instead (callerid_pools.services).
    cursor = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The tables were created by the old "pools" app; they keep its names.
        db_table = "pools_numberpool"
        verbose_name = "number pool"
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(pool_type__in=PoolType.values), name="number_pool_type_valid"),
            models.CheckConstraint(
                condition=Q(is_global=True, customer__isnull=True) | Q(is_global=False, customer__isnull=False),
                name="number_pool_global_xor_customer",
                violation_error_message="A pool belongs to one customer, or is global with no customer.",
            ),
            models.CheckConstraint(condition=Q(cursor__gte=0), name="number_pool_cursor_not_negative"),
            models.UniqueConstraint(
                fields=["customer", "name"],
                condition=Q(customer__isnull=False),
                name="number_pool_name_unique_per_customer",
                violation_error_message="This customer already has a pool with this name.",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(is_global=True),
                name="number_pool_global_name_unique",
                violation_error_message="A global pool with this name already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owner_label(self) -> str:
        return "Global" if self.is_global else self.customer.name


class NumberPoolMember(models.Model):
    """A DID in a pool, at a position (1, 2, ...; the carousel's order)."""

    TENANT_LOOKUP = "pool__customer"
    GLOBAL_LOOKUP = "pool__is_global"

    pool = models.ForeignKey(NumberPool, on_delete=models.CASCADE, related_name="members")
    # A DID removed from the inventory can no longer be anyone's caller ID.
    did = models.ForeignKey("dids.DID", on_delete=models.CASCADE, related_name="pool_memberships", verbose_name="DID")
    position = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "pools_numberpoolmember"
        verbose_name = "number pool member"
        ordering = ["pool", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "did"],
                name="number_pool_member_did_once",
                violation_error_message="This DID is already in the pool.",
            ),
            models.UniqueConstraint(fields=["pool", "position"], name="number_pool_member_position_unique"),
            models.CheckConstraint(condition=Q(position__gte=1), name="number_pool_member_position_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.did} in {self.pool} (#{self.position})"


class PoolUpload(models.Model):
    """A pool being made from a file ("+ Add from file"): its :class:`ImportJob` and the pool's form fields.

    The pool itself is created when the job runs (after the markup), so an
    abandoned upload leaves no empty pool behind.
    """

    job = models.OneToOneField(ImportJob, on_delete=models.CASCADE, related_name="pool_upload")
    name = models.CharField(max_length=100)
    pool_type = models.CharField(max_length=16, choices=PoolType.choices, default=PoolType.SEQUENTIAL)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    is_global = models.BooleanField(default=False)
    pool = models.ForeignKey(NumberPool, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.name} from {self.job.original_filename}"


class IncorrectReason(models.TextChoices):
    NOT_A_NUMBER = "not_a_number", "Not a number"
    INVALID_FOR_COUNTRY = "invalid_for_country", "Not valid for its country"
    NOT_A_DID = "not_a_did", "Not a DID"
    NOT_CUSTOMERS = "not_customers", "Not a DID of this customer"
    NOT_PLATFORMS = "not_platforms", "Not a platform DID"
    DUPLICATE = "duplicate", "Duplicate"


class NumberPoolIncorrectNumber(models.Model):
    """A row of an uploaded file that could not join the pool, kept until fixed or dismissed."""

    TENANT_LOOKUP = "pool__customer"
    GLOBAL_LOOKUP = "pool__is_global"

    pool = models.ForeignKey(NumberPool, on_delete=models.CASCADE, related_name="incorrect_numbers")
    row_number = models.PositiveIntegerField(help_text="Row of the uploaded file (1 = first row).")
    raw = models.CharField("as written", max_length=200, blank=True)
    default_region = models.CharField(
        "default country", max_length=2, help_text="Country of numbers written without the international prefix."
    )
    reason = models.CharField(max_length=24, choices=IncorrectReason.choices)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "pools_numberpoolincorrectnumber"
        verbose_name = "incorrect number"
        ordering = ["pool", "row_number", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=IncorrectReason.values), name="number_pool_incorrect_reason_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.raw!r} ({self.get_reason_display()})"
