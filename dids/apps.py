from django.apps import AppConfig


class DidsConfig(AppConfig):
    name = "dids"
    verbose_name = "DIDs"

    def ready(self) -> None:
        from dids import imports
        from telephony.imports.kinds import ImportKind, register_kind
        from telephony.imports.models import ImportJob

        register_kind(ImportJob.Kind.DIDS, ImportKind(run=imports.run_did_import))
