from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from customers import services


class Command(BaseCommand):
    help = "Create a customer account, optionally with its first user."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--time-zone", default="UTC")
        parser.add_argument("--user", metavar="EMAIL")
        parser.add_argument("--password")

    def handle(self, *args, slug, name, time_zone, user, password, **options):
        if bool(user) != bool(password):
            raise CommandError("--user and --password go together.")
        try:
            with transaction.atomic():
                customer = services.customer_create(slug=slug, name=name, time_zone=time_zone)
                if user:
                    services.customer_user_create(customer=customer, email=user, password=password)
        except services.CustomerError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Created customer {customer.slug} (id {customer.pk})" + (f" with user {user}" if user else "")
        )
