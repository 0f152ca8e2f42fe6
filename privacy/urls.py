from django.urls import path

from privacy import views

urlpatterns = [path("personal-data/", views.PersonalDataView.as_view(), name="personal_data")]
