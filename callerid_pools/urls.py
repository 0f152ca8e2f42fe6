from django.urls import path

from callerid_pools import views

urlpatterns = [
    path("number-pools/", views.NumberPoolListView.as_view(), name="number_pools"),
    path("number-pools/<int:pool_id>/", views.NumberPoolDetailView.as_view(), name="number_pool"),
]
