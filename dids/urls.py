from django.urls import path

from dids import views

urlpatterns = [
    path("numbers/", views.NumbersView.as_view(), name="numbers"),
    path("numbers/<int:did_id>/", views.NumberDetailView.as_view(), name="number_detail"),
]
