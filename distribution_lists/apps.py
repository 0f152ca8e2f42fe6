from django.apps import AppConfig


class DistributionListsConfig(AppConfig):
    name = "distribution_lists"
    verbose_name = "Distribution lists"

    def ready(self) -> None:
        from distribution_lists import services
        from telephony.imports.kinds import ImportKind, register_kind
        from telephony.imports.models import ImportJob

        register_kind(
            ImportJob.Kind.DISTRIBUTION_LIST,
            ImportKind(run=services.run_list_import, failed=services.distribution_list_job_failed),
        )
