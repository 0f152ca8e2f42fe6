"""The customers' REST API under /api/: every app's API views under one namespace, ``api:``."""

from customers.api import urls as customer_api_urls

urlpatterns = [
    *customer_api_urls.urlpatterns,
]
