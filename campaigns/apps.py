from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        # Register the dialer's tasks in every process: the dispatcher hands calls to
        # ``campaigns.place_call`` by name (campaigns/dialer/handoff.py).
        from campaigns import tasks  # noqa: F401
