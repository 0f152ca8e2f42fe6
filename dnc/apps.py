from django.apps import AppConfig


class DncConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dnc"
    verbose_name = "Do-not-call lists"

    def ready(self) -> None:
        from dnc import upload
        from telephony.imports.kinds import ImportKind, register_kind
        from telephony.imports.models import ImportJob

        register_kind(ImportJob.Kind.DNC, ImportKind(run=upload.run_dnc_upload, failed=upload.dnc_upload_failed))
