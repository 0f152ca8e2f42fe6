"""The customer dashboard: every app's pages under one namespace, ``dashboard:``."""

from campaigns import urls as campaign_urls
from customers import urls as customer_urls

urlpatterns = [
    *customer_urls.urlpatterns,
    *campaign_urls.urlpatterns,
]
