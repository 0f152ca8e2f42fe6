"""The one way customer data is reached from the dashboard and the API.

Every customer-owned model names the path to its owner in ``TENANT_LOOKUP``
(``"customer"`` by default, ``"distribution_list__customer"`` for a contact,
...). Models that can also be shared with every customer name the flag that
marks a shared row in ``GLOBAL_LOOKUP``. Views and API views never filter by
customer themselves: they call :func:`scoped` or :func:`get_scoped_or_404`, so
a lookup of another customer's object is a 404 that does not reveal it exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views import View

if TYPE_CHECKING:
    from customers.models import Customer

M = TypeVar("M", bound=Model)


def owner_refusal(customer: Customer | None, is_global: bool, *, thing: str) -> str | None:
    """Why an owner choice breaks the rule of a model with ``GLOBAL_LOOKUP`` (one customer, or
    global with none), in words for a form; None when it is right. Forms call it so the admin
    never shows the database constraint's name."""
    if is_global and customer is not None:
        return f"A global {thing} belongs to no customer: clear the customer or untick Global."
    if not is_global and customer is None:
        return f"Choose the customer this {thing} belongs to, or tick Global."
    return None


def customer_of(request: HttpRequest) -> Customer | None:
    """The customer on whose behalf a request acts: the API token's or the user's."""
    auth = getattr(request, "auth", None)
    token_customer = getattr(auth, "customer", None)
    if token_customer is not None:
        return token_customer if token_customer.is_active else None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    customer = getattr(user, "customer", None)
    return customer if customer is not None and customer.is_active else None


def scoped(queryset: QuerySet[M], customer: Customer | None, *, include_global: bool = False) -> QuerySet[M]:
    """Only the rows ``customer`` may see; with ``include_global`` the shared ones too."""
    if customer is None:
        return queryset.none()
    model = queryset.model
    condition = Q(**{getattr(model, "TENANT_LOOKUP", "customer"): customer})
    if include_global:
        global_lookup = getattr(model, "GLOBAL_LOOKUP", None)
        if global_lookup is None:
            raise TypeError(f"{model.__name__} has no shared rows (no GLOBAL_LOOKUP)")
        condition |= Q(**{global_lookup: True})
    return queryset.filter(condition)


def get_scoped_or_404(
    queryset: QuerySet[M], customer: Customer | None, *, include_global: bool = False, **lookup: Any
) -> M:
    try:
        return scoped(queryset, customer, include_global=include_global).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("Not found.") from None


class CustomerRequiredMixin(AccessMixin, View):
    """Dashboard views: a logged-in user of an active customer, else the login page.

    Sets ``self.customer``; views read their objects with ``scoped(..., self.customer)``.
    """

    customer: Customer

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        customer = customer_of(request)
        if customer is None:
            raise Http404("This account has no customer dashboard.")
        self.customer = customer
        return super().dispatch(request, *args, **kwargs)
