from django.conf import settings
from django.db import models
from django.db.models import Q

from campaigns import scenario as scenario_rules


class OwnedByCustomerOrGlobal(models.Model):
    """A row that belongs to one customer, or — when global — is offered to every customer."""

    TENANT_LOOKUP = "customer"
    GLOBAL_LOOKUP = "is_global"

    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.CASCADE)
    is_global = models.BooleanField("global", default=False, help_text="Offered to every customer.")

    class Meta:
        abstract = True

    @property
    def owner_label(self) -> str:
        return "Global" if self.is_global else str(self.customer)


def _owner_constraints(prefix: str) -> list:
    return [
        models.CheckConstraint(
            condition=Q(is_global=True, customer__isnull=True) | Q(is_global=False, customer__isnull=False),
            name=f"{prefix}_global_xor_customer",
        ),
        models.UniqueConstraint(fields=["customer", "name"], name=f"{prefix}_name_unique_per_customer"),
        models.UniqueConstraint(fields=["name"], condition=Q(is_global=True), name=f"{prefix}_global_name_unique"),
    ]


def audio_upload_to(instance: "AudioFile", filename: str) -> str:
    owner = "global" if instance.is_global else f"customer-{instance.customer_id}"
    return f"audio/{owner}/{filename}"


class AudioFile(OwnedByCustomerOrGlobal):
    """A recording an app's "play" step plays. Type and size are checked on upload (see forms)."""

    name = models.CharField(max_length=200)
    file = models.FileField(upload_to=audio_upload_to)
    content_type = models.CharField(max_length=50, editable=False)
    size = models.PositiveIntegerField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = _owner_constraints("audiofile")

    def __str__(self) -> str:
        return self.name


class App(OwnedByCustomerOrGlobal):
    """A call scenario: what happens on every answered call of a campaign (see campaigns/scenario.py)."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    scenario = models.JSONField(help_text="The ordered steps; see the example below the field.")
    variables = models.JSONField(default=list, editable=False, help_text="Derived from the scenario's placeholders.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = _owner_constraints("app")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Variables always follow the scenario, whoever saves it.
        self.variables = scenario_rules.scenario_variables(self.scenario or [])
        super().save(*args, **kwargs)
