from django.apps import AppConfig


class CallTrackingConfig(AppConfig):
    """Call-tracking pools, dynamic number insertion, tracked calls and the v3 API."""

    name = "call_tracking"
    verbose_name = "Call tracking"
