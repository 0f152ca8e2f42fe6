"""The record of each erasure of a person's data: who, when, which number's hash (never the number)."""

from django.conf import settings
from django.db import models


class Erasure(models.Model):
    TENANT_LOOKUP = "customer"

    # Empty: an administrator's erasure across every customer.
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="erasures"
    )
    number_hash = models.CharField(max_length=16, help_text="The one-way hash that replaced the number.")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    added_to_dnc = models.BooleanField(default=False)
    counts = models.JSONField(default=dict, help_text="What was deleted or hashed, by kind.")

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"erasure {self.number_hash} at {self.at:%Y-%m-%d %H:%M}"
