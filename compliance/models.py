"""Platform rules on top of every campaign: legal calling hours and contact caps."""

from __future__ import annotations

from django.db import models

ALL_DAYS = 0b1111111


class LegalWindow(models.Model):
    """A local window in which calls to a country (or one of its regions) are legal.

    Rows of one (country, region) are alternatives (a Sunday row next to a
    weekday row); different (country, region) rules that reach one zone must
    all be open. ``zones`` names the zones a regional rule covers; blank means
    every zone of the country (the tz database's zone.tab). A zone shared by
    several regions gets all their rules: the strictest wins.
    """

    country = models.CharField(max_length=2, help_text="ISO 3166 code, e.g. US.")
    region = models.CharField(max_length=64, blank=True, help_text="State or province; blank for the whole country.")
    zones = models.TextField(blank=True, help_text="Comma-separated zones of the region; blank: the country's.")
    start = models.TimeField(help_text="Local time calls may start.")
    end = models.TimeField(help_text="Local time calls must stop.")
    days = models.PositiveSmallIntegerField(default=ALL_DAYS, help_text="Bit 0 is Monday.")
    note = models.CharField(max_length=200, blank=True, help_text="The source of the rule.")

    class Meta:
        ordering = ["country", "region", "start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(days__gte=0, days__lte=ALL_DAYS), name="legal_window_days"),
            models.CheckConstraint(condition=models.Q(start__lt=models.F("end")), name="legal_window_start_before_end"),
        ]

    def __str__(self) -> str:
        where = f"{self.country}-{self.region}" if self.region else self.country
        return f"{where} {self.start:%H:%M}–{self.end:%H:%M}"


class CustomerCaps(models.Model):
    """A customer's override of the platform's per-subscriber caps (blank: the platform default)."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="compliance_caps")
    calls_per_day = models.PositiveIntegerField(null=True, blank=True)
    calls_per_week = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "customer caps"

    def __str__(self) -> str:
        return f"caps of customer {self.customer_id}"
