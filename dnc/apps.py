from django.apps import AppConfig


class DncConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dnc"
    verbose_name = "Do-not-call lists"

    def ready(self) -> None:
        # Register the worker's task in every process: dnc/services.py enqueues
        # ``dnc.import_upload`` by name.
        from dnc import tasks  # noqa: F401
