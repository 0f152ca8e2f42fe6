from django.urls import path

from campaigns import views, views_campaigns, views_dialer, views_reports

urlpatterns = [
    path("campaigns/", views_campaigns.CampaignListView.as_view(), name="campaigns"),
    path("campaigns/progress/", views_dialer.CampaignProgressView.as_view(), name="campaign_progress"),
    path("campaigns/new/", views_campaigns.CampaignWizardView.as_view(), name="campaign_create"),
    path("campaigns/<int:campaign_id>/", views_campaigns.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:campaign_id>/edit/", views_campaigns.CampaignWizardView.as_view(), name="campaign_edit"),
    path("campaigns/<int:campaign_id>/report/", views_reports.CampaignReportView.as_view(), name="campaign_report"),
    path(
        "campaigns/<int:campaign_id>/report/chart.json",
        views_reports.CampaignChartView.as_view(),
        name="campaign_report_chart",
    ),
    path(
        "campaigns/<int:campaign_id>/report.csv",
        views_reports.CampaignExportView.as_view(),
        {"fmt": "csv"},
        name="campaign_report_csv",
    ),
    path(
        "campaigns/<int:campaign_id>/report.xlsx",
        views_reports.CampaignExportView.as_view(),
        {"fmt": "xlsx"},
        name="campaign_report_xlsx",
    ),
    path(
        "campaigns/<int:campaign_id>/<slug:action>/",
        views_campaigns.CampaignActionView.as_view(),
        name="campaign_action",
    ),
    path("apps/", views.AppListView.as_view(), name="apps"),
    path("apps/<int:app_id>/", views.AppDetailView.as_view(), name="app_detail"),
    path("help/cause-codes/", views.CauseCodesView.as_view(), name="cause_codes"),
]
