from django.db.models import QuerySet

from campaigns.models import App
from customers.tenancy import scoped


def apps_for(customer) -> QuerySet[App]:
    """The customer's own apps and the global ones."""
    return scoped(App.objects.select_related("customer"), customer, include_global=True).order_by("is_global", "name")
