from django.apps import AppConfig


class DistributionListsConfig(AppConfig):
    name = "distribution_lists"
    verbose_name = "Distribution lists"
