"""The customer dashboard: every app's pages under one namespace, ``dashboard:``."""

from call_tracking import urls as tracking_urls
from callerid_pools import urls as carousel_pool_urls
from campaigns import urls as campaign_urls
from compliance import urls as compliance_urls
from customers import urls as customer_urls
from dids import urls as did_urls
from distribution_lists import urls as distribution_list_urls
from dnc import urls as dnc_urls
from privacy import urls as privacy_urls

urlpatterns = [
    *customer_urls.urlpatterns,
    *campaign_urls.urlpatterns,
    *did_urls.urlpatterns,
    *distribution_list_urls.urlpatterns,
    *carousel_pool_urls.urlpatterns,
    *tracking_urls.urlpatterns,
    *dnc_urls.urlpatterns,
    *privacy_urls.urlpatterns,
    *compliance_urls.urlpatterns,
]
