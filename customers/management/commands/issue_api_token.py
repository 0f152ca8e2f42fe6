from django.core.management.base import BaseCommand, CommandError

from customers import services
from customers.models import Customer


class Command(BaseCommand):
    help = "Issue an API token for a customer; the token is printed on the last line, once."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", default="")

    def handle(self, *args, slug, name, **options):
        customer = Customer.objects.filter(slug=slug).first()
        if customer is None:
            raise CommandError(f"No customer with slug {slug!r}.")
        try:
            issued = services.api_token_issue(customer=customer, name=name)
        except services.CustomerError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(
            f"Token “{issued.token.name}” for {customer.slug} (group id {customer.pk}); it is not shown again:"
        )
        self.stdout.write(issued.raw)
