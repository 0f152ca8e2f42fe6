from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from call_tracking.api import urls as v3_urls
from telephony import api_urls, dashboard_urls
from telephony.favicon import favicon
from telephony.health import healthz

admin.site.site_header = settings.PRODUCT_NAME
admin.site.site_title = settings.PRODUCT_NAME
admin.site.index_title = "Administration"

# The admin pages of pools moved with the split of the "pools" app; old
# bookmarks and links keep working.
LEGACY_ADMIN_POOLS = [
    re_path(
        rf"^admin/pools/(?P<model>{'|'.join(models)})/(?P<rest>.*)$",
        RedirectView.as_view(url=f"/admin/{app}/%(model)s/%(rest)s", permanent=True, query_string=True),
    )
    for app, models in [
        ("callerid_pools", ["numberpool", "numberpoolmember", "numberpoolincorrectnumber"]),
        ("call_tracking", ["trackingpool", "trackingnumber", "dnisession", "trackedcall"]),
    ]
]

urlpatterns = [
    *LEGACY_ADMIN_POOLS,
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api_docs"),
    path("api/", include((api_urls.urlpatterns, "api"))),
    # The v3 API of seed 002 (call-tracking number pools), as its clients call it.
    path("v3/api/", include((v3_urls.urlpatterns, "v3"))),
    path("", include((dashboard_urls.urlpatterns, "dashboard"))),
]
