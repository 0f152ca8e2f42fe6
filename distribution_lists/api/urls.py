from django.urls import path

from distribution_lists.api import views

urlpatterns = [
    path("distribution-lists/", views.DistributionListListView.as_view(), name="distribution_lists"),
    path("distribution-lists/<int:list_id>/", views.DistributionListDetailView.as_view(), name="distribution_list"),
]
