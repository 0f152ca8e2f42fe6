from django.urls import path

from call_tracking import views

urlpatterns = [
    path("call-tracking/", views.CallTrackingView.as_view(), name="call_tracking"),
    path("call-tracking/<int:numberpool_id>/", views.CallTrackingPoolView.as_view(), name="call_tracking_pool"),
]
