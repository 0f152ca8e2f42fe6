from django.urls import path

from privacy.api import views

urlpatterns = [
    path("personal-data/export/", views.PersonExportView.as_view(), name="personal_data_export"),
    path("personal-data/erase/", views.PersonEraseView.as_view(), name="personal_data_erase"),
]
