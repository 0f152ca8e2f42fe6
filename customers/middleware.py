import zoneinfo

from django.utils import timezone

from customers.tenancy import customer_of


class CustomerMiddleware:
    """Puts ``request.customer`` on dashboard requests and shows every date in its time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.customer = customer_of(request)
        if request.customer is not None:
            timezone.activate(zoneinfo.ZoneInfo(request.customer.time_zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
