from django.apps import AppConfig


class CallerIdPoolsConfig(AppConfig):
    """Caller-ID number pools: the carousel the dialer draws its A-numbers from."""

    name = "callerid_pools"
    verbose_name = "Caller-ID pools"

    def ready(self) -> None:
        from callerid_pools import upload
        from telephony.imports.kinds import ImportKind, register_kind
        from telephony.imports.models import ImportJob

        register_kind(ImportJob.Kind.CALLERID_POOL, ImportKind(run=upload.run_pool_upload))
