from django.urls import path

from customers import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("api-tokens/", views.ApiTokenListView.as_view(), name="api_tokens"),
    path("api-tokens/<int:token_id>/revoke/", views.ApiTokenRevokeView.as_view(), name="api_token_revoke"),
]
