from django.urls import path

from dnc import views

urlpatterns = [
    path("do-not-call/", views.DncPageView.as_view(), name="dnc"),
    path("do-not-call/<int:entry_id>/remove/", views.DncRemoveView.as_view(), name="dnc_remove"),
]
