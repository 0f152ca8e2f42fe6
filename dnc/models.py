"""Do-not-call entries: a platform list (no customer) and each customer's own list."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


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
    PROCESSING = "processing", "Importing"
    READY = "ready", "Imported"
    FAILED = "failed", "Failed"


class DncUpload(models.Model):
    """A file of numbers for the customer's list; large ones are imported by a worker."""

    TENANT_LOOKUP = "customer"

    # Empty: an administrator's upload to the platform list.
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="dnc_uploads"
    )
    source_file = models.FileField(upload_to="dnc/%Y/%m/", max_length=300, blank=True)
    original_filename = models.CharField(max_length=255)
    rows_total = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=UploadStatus.choices, default=UploadStatus.PROCESSING)
    report = models.JSONField(default=dict, blank=True)
    failure_reason = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "do-not-call upload"
        verbose_name_plural = "do-not-call uploads"
        constraints = [models.CheckConstraint(condition=Q(status__in=UploadStatus.values), name="dnc_upload_status")]

    def __str__(self) -> str:
        return self.original_filename

    @property
    def list_name(self) -> str:
        return "platform" if self.customer_id is None else "customer"
