from rest_framework.permissions import BasePermission

from customers.tenancy import customer_of


class IsCustomer(BasePermission):
    """The request acts for an active customer (API token or a customer user's session)."""

    message = "Authentication as a customer is required."

    def has_permission(self, request, view) -> bool:
        return customer_of(request) is not None
