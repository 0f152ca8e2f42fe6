from django.urls import path

from campaigns import views

urlpatterns = [
    path("apps/", views.AppListView.as_view(), name="apps"),
    path("apps/<int:app_id>/", views.AppDetailView.as_view(), name="app_detail"),
    path("help/cause-codes/", views.CauseCodesView.as_view(), name="cause_codes"),
]
