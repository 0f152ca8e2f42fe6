"""The v3 API, mounted at /v3/api/ (namespace ``v3``).

The seed's paths have no trailing slash, and ``numberpool`` is an alias of
``numberpools``: both are one pattern each, so every route has one name.
"""

from django.urls import path, re_path

from call_tracking.api import views

POOLS = r"^groups/(?P<group_id>[0-9]+)/numberpools?"
POOL = POOLS + r"/(?P<numberpool_id>[0-9]+)"

urlpatterns = [
    re_path(POOLS + r"/?$", views.TrackingPoolListView.as_view(), name="tracking_pool_list"),
    re_path(POOL + r"/?$", views.TrackingPoolDetailView.as_view(), name="tracking_pool_detail"),
    re_path(POOL + r"/numbers/?$", views.TrackingPoolNumbersView.as_view(), name="tracking_pool_numbers"),
    re_path(
        POOL + r"/numbers/(?P<tracking_number_id>[0-9]+)/?$",
        views.TrackingPoolNumberView.as_view(),
        name="tracking_pool_number",
    ),
    path("dni/<str:public_key>", views.DNIView.as_view(), name="tracking_dni"),
    path("platform/calls", views.IncomingCallView.as_view(), name="tracking_incoming_call"),
]
