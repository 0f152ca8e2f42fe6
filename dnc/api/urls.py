from django.urls import path

from dnc.api import views

urlpatterns = [
    path("dnc/", views.DncListView.as_view(), name="dnc_entries"),
    path("dnc/check/", views.DncCheckView.as_view(), name="dnc_check"),
    path("dnc/upload/", views.DncUploadView.as_view(), name="dnc_upload"),
    path("dnc/uploads/<int:upload_id>/", views.DncUploadDetailView.as_view(), name="dnc_upload_detail"),
    path("dnc/<int:entry_id>/", views.DncEntryView.as_view(), name="dnc_entry"),
]
