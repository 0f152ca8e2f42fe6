from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        from customers.roles import ensure_ops_group

        # After every migrate, so that permissions of models added by later
        # migrations reach the Ops group without a migration of their own.
        post_migrate.connect(ensure_ops_group, dispatch_uid="customers.ensure_ops_group")
