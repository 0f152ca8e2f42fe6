from django.db.models import QuerySet

from customers.models import ApiToken, Customer
from customers.tenancy import scoped


def api_tokens_of(customer: Customer) -> QuerySet[ApiToken]:
    return scoped(ApiToken.objects.select_related("created_by"), customer)
