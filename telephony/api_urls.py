"""The customers' REST API under /api/: every app's API views under one namespace, ``api:``."""

from campaigns.api import urls as campaign_api_urls
from customers.api import urls as customer_api_urls
from distribution_lists.api import urls as distribution_list_api_urls
from dnc.api import urls as dnc_api_urls
from privacy.api import urls as privacy_api_urls

urlpatterns = [
    *customer_api_urls.urlpatterns,
    *distribution_list_api_urls.urlpatterns,
    *campaign_api_urls.urlpatterns,
    *dnc_api_urls.urlpatterns,
    *privacy_api_urls.urlpatterns,
]
