from django.apps import AppConfig


class DncConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dnc"
    verbose_name = "Do-not-call lists"
