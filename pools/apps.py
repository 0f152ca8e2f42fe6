from django.apps import AppConfig


class PoolsConfig(AppConfig):
    """Migrations only: the history that created the tables now owned by
    ``callerid_pools`` and ``call_tracking``. Existing databases have applied
    these migrations; their last one hands the models over (state only)."""

    name = "pools"
    verbose_name = "Pools (migration history)"
