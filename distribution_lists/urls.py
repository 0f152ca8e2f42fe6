from django.urls import path

from distribution_lists import views

urlpatterns = [
    path("distribution-lists/", views.DistributionListsView.as_view(), name="distribution_lists"),
    path("distribution-lists/<int:list_id>/", views.DetailView.as_view(), name="distribution_list_detail"),
    path("distribution-lists/<int:list_id>/markup/", views.MarkupView.as_view(), name="distribution_list_markup"),
    path("distribution-lists/<int:list_id>/progress/", views.ProgressView.as_view(), name="distribution_list_progress"),
    path(
        "distribution-lists/<int:list_id>/incorrect/<int:row_id>/",
        views.IncorrectRowView.as_view(),
        name="distribution_list_incorrect_row",
    ),
    path(
        "distribution-lists/<int:list_id>/export.csv",
        views.ExportView.as_view(),
        {"fmt": "csv"},
        name="distribution_list_export_csv",
    ),
    path(
        "distribution-lists/<int:list_id>/export.xlsx",
        views.ExportView.as_view(),
        {"fmt": "xlsx"},
        name="distribution_list_export_xlsx",
    ),
    path("distribution-lists/<int:list_id>/delete/", views.DeleteView.as_view(), name="distribution_list_delete"),
]
