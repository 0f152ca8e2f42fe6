from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """The import engine as an app: it owns ``ImportJob``, the one upload lifecycle."""

    name = "telephony.imports"
    label = "imports"
    verbose_name = "Imports"
