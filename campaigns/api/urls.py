from django.urls import path

from campaigns.api import views

urlpatterns = [
    path("apps/", views.AppListView.as_view(), name="apps"),
    path("apps/<int:app_id>/", views.AppDetailView.as_view(), name="app"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaigns"),
    path("campaigns/<int:campaign_id>/", views.CampaignDetailView.as_view(), name="campaign"),
    path("campaigns/<int:campaign_id>/launch/", views.CampaignLaunchView.as_view(), name="campaign_launch"),
    path("campaigns/<int:campaign_id>/pause/", views.CampaignPauseView.as_view(), name="campaign_pause"),
    path("campaigns/<int:campaign_id>/resume/", views.CampaignResumeView.as_view(), name="campaign_resume"),
    path("campaigns/<int:campaign_id>/finish/", views.CampaignFinishView.as_view(), name="campaign_finish"),
    path("campaigns/<int:campaign_id>/statistics/", views.CampaignStatisticsView.as_view(), name="campaign_statistics"),
]
