"""The v3 API, mounted at /v3/api/ (namespace ``v3``).

The seed's paths have no trailing slash, and ``numberpool`` is an alias of
``numberpools``: both are one pattern each, so every route has one name.
"""

from django.urls import path, re_path

from call_tracking.api import views

POOLS = r"^groups/(?P<group_id>[0-9]+)/numberpools?"
POOL = POOLS + r"/(?P<numberpool_id>[0-9]+)"

urlpatterns = [
    re_path(POOLS + r"/?$", views.NumberPoolListView.as_view(), name="numberpool_list"),
    re_path(POOL + r"/?$", views.NumberPoolDetailView.as_view(), name="numberpool_detail"),
    re_path(POOL + r"/numbers/?$", views.NumberPoolNumbersView.as_view(), name="numberpool_numbers"),
    re_path(
        POOL + r"/numbers/(?P<tracking_number_id>[0-9]+)/?$",
        views.NumberPoolNumberView.as_view(),
        name="numberpool_number",
    ),
    path("dni/<str:public_key>", views.DNIView.as_view(), name="tracking_dni"),
    path("platform/calls", views.IncomingCallView.as_view(), name="tracking_incoming_call"),
]
