"""The customer dashboard: every app's pages under one namespace, ``dashboard:``."""

from customers import urls as customer_urls
from distribution_lists import urls as distribution_list_urls

urlpatterns = [
    *customer_urls.urlpatterns,
    *distribution_list_urls.urlpatterns,
]
