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
    calls_per_day = models.PositiveIntegerField(
        null=True, blank=True, help_text="Attempts to one number per UTC day; blank: COMPLIANCE_CALLS_PER_DAY."
    )
    calls_per_week = models.PositiveIntegerField(
        null=True, blank=True, help_text="Attempts to one number per ISO week; blank: COMPLIANCE_CALLS_PER_WEEK."
    )

    class Meta:
        verbose_name_plural = "customer caps"

    def __str__(self) -> str:
        return f"caps of customer {self.customer_id}"


class PoolPolicy(models.Model):
    """A caller-ID pool's compliance options: local presence and its own per-number daily cap."""

    pool = models.OneToOneField("callerid_pools.NumberPool", on_delete=models.CASCADE, related_name="compliance_policy")
    local_presence = models.BooleanField(
        default=False,
        help_text="Prefer a member in the callee's area code, then country, then any member.",
    )
    calls_per_number_per_day = models.PositiveIntegerField(
        null=True, blank=True, help_text="Calls a day from one member; blank: COMPLIANCE_A_NUMBER_CALLS_PER_DAY."
    )

    class Meta:
        verbose_name_plural = "pool policies"

    def __str__(self) -> str:
        return f"policy of pool {self.pool_id}"


class ANumberDay(models.Model):
    """Calls placed from one A-number on one UTC day (the per-caller-ID cap reads it)."""

    number = models.CharField(max_length=16)
    day = models.DateField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "A-number day"
        verbose_name_plural = "calls per A-number per day"
        constraints = [models.UniqueConstraint(fields=["number", "day"], name="a_number_day_unique")]

    def __str__(self) -> str:
        return f"{self.number} {self.day}: {self.calls}"


class PoolDay(models.Model):
    """Calls drawn from one pool on one UTC day, and how many went out with a local number."""

    pool = models.ForeignKey("callerid_pools.NumberPool", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    calls = models.PositiveIntegerField(default=0)
    local_calls = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "pool day"
        verbose_name_plural = "calls per pool per day"
        constraints = [models.UniqueConstraint(fields=["pool", "day"], name="pool_day_unique")]

    def __str__(self) -> str:
        return f"pool {self.pool_id} {self.day}: {self.local_calls}/{self.calls} local"
