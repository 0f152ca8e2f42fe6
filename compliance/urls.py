from django.urls import path

from compliance import views

urlpatterns = [
    path("caller-ids/usage/", views.CallerIdUsageView.as_view(), name="caller_id_usage"),
]
