from django.apps import AppConfig


class CallerIdPoolsConfig(AppConfig):
    """Caller-ID number pools: the carousel the dialer draws its A-numbers from."""

    name = "callerid_pools"
    verbose_name = "Caller-ID pools"
