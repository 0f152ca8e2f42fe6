"""The customer dashboard: every app's pages under one namespace, ``dashboard:``."""

from customers import urls as customer_urls
from dids import urls as did_urls

urlpatterns = [
    *customer_urls.urlpatterns,
    *did_urls.urlpatterns,
]
